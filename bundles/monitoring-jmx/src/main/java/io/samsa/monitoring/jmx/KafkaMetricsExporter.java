package io.samsa.monitoring.jmx;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.metrics.MetricSource;

/**
 * Publishes the broker's metrics as MBeans on the platform MBeanServer, under Kafka's names, so
 * that jconsole, the Prometheus JMX exporter's Kafka rules and Kafka UIs read Samsa as they read
 * Kafka. Every {@link MetricSource} service is polled on Yammer's 5 s meter tick; a source that
 * comes or goes is listed at once.
 */
@Component(immediate = true, service = {})
public class KafkaMetricsExporter {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaMetricsExporter.class);

    private final KafkaMBeans mbeans = new KafkaMBeans(ManagementFactory.getPlatformMBeanServer(), System::nanoTime);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "samsa-metrics-jmx");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public KafkaMetricsExporter() {
        ticker.scheduleAtFixedRate(this::tick, MeterRates.TICK_NANOS, MeterRates.TICK_NANOS, TimeUnit.NANOSECONDS);
        submitSync();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSource(MetricSource source) {
        mbeans.add(source);
        submitSync();
    }

    void removeSource(MetricSource source) {
        mbeans.remove(source);
        submitSync();
    }

    private void submitSync() {
        try {
            ticker.execute(this::syncQuietly);
        } catch (RejectedExecutionException e) {
            // deactivated: every MBean is unregistered anyway
        }
    }

    private void tick() {
        try {
            mbeans.tick();
            mbeans.sync();
        } catch (RuntimeException e) {
            LOG.warn("Updating the Kafka MBeans failed; trying again on the next tick", e);
        }
    }

    private void syncQuietly() {
        try {
            mbeans.sync();
        } catch (RuntimeException e) {
            LOG.warn("Updating the Kafka MBeans failed; trying again on the next tick", e);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        mbeans.unregisterAll();
    }
}
