/**
 * Broker metrics under Kafka's names, kept where the work happens and read by whoever exposes
 * them (JMX MBeans, a Prometheus endpoint).
 * <p>
 * Why read-only sources rather than a registry the producers write to: a bundle that counts
 * (broker, protocol front end, replication, controller, group coordinator) creates its
 * {@link io.samsa.api.metrics.Meter}s and {@link io.samsa.api.metrics.Histogram}s itself, when a
 * topic, partition or request type appears, and registers one
 * {@link io.samsa.api.metrics.MetricSource} service that lists them. It never waits for, looks
 * up or depends on a monitoring bundle: the hot path touches a pre-allocated counter and nothing
 * else, and the broker runs the same with monitoring installed, removed or swapped. The monitoring
 * bundle polls the sources (Kafka's meters tick every 5 s; a topic's MBeans appear and go within
 * a tick of the topic), derives the rates from the counts and publishes what it found.
 * <p>
 * A meter holds only its count; the one-, five- and fifteen-minute rates are computed by the
 * reader from the counts it sees, as Yammer's meters do on their 5 s tick. A histogram is a
 * fixed set of buckets (see {@link io.samsa.api.metrics.Histogram}), not Yammer's exponentially
 * decaying sample: recording costs two adds and no allocation, and its percentiles are the
 * upper bound of the bucket the percentile falls in.
 */
@Export
@Version("1.0.0")
package io.samsa.api.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
