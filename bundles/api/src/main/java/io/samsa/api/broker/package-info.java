/**
 * The broker services that protocol front ends call: cluster metadata, topic administration,
 * produce and fetch on partitions, producer ids, and the consumer group coordinator.
 * <p>
 * Errors are Kafka's ({@link org.apache.kafka.common.protocol.Errors},
 * {@link org.apache.kafka.common.requests.ApiError}) so that a front end speaking Kafka's
 * protocol passes them through unchanged. Group APIs take and return the generated request and
 * response messages of {@code org.apache.kafka.common.message}, whose layout is the protocol's.
 * {@link ListenerEndpoints} goes the other way: the front end tells the broker where it listens.
 */
@Export
@Version("1.3.0")
package io.samsa.api.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
