package io.samsa.monitoring.jmx;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.After;
import org.junit.Test;

import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;

public class KafkaMBeansTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final KafkaMBeans mbeans = new KafkaMBeans(server, nanos::get);

    private final Meter bytesIn = new Meter("bytes");
    private final Meter topicBytesIn = new Meter("bytes");
    private final Histogram totalTime = new Histogram();
    private final AtomicLong partitions = new AtomicLong(3);
    private final java.util.function.LongSupplier partitionCount = partitions::get;
    private volatile boolean topicPresent = true;

    private final MetricSource source = new MetricSource() {
        @Override
        public void visit(MetricVisitor v) {
            v.meter(MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec"), bytesIn);
            if (topicPresent) {
                v.meter(MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec", "topic", "orders"),
                        topicBytesIn);
            }
            v.gauge(MetricName.of("kafka.server", "ReplicaManager", "PartitionCount"), partitionCount);
            v.histogram(MetricName.of("kafka.network", "RequestMetrics", "TotalTimeMs", "request", "Produce"),
                    totalTime);
            v.info(MetricName.ofType("kafka.server", "app-info", "id", "7"),
                    Map.of("version", "4.4.0", "commit-id", "abc", "start-time-ms", 42L));
        }
    };

    @After
    public void cleanUp() {
        mbeans.unregisterAll();
    }

    private Map<String, String> attributeTypes(String objectName) throws Exception {
        Map<String, String> types = new HashMap<>();
        for (MBeanAttributeInfo a : server.getMBeanInfo(new ObjectName(objectName)).getAttributes()) {
            types.put(a.getName(), a.getType());
        }
        return types;
    }

    @Test
    public void metricsAppearUnderKafkasNamesWithKafkasAttributes() throws Exception {
        mbeans.add(source);
        mbeans.sync();

        ObjectName perTopic = new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=orders");
        assertTrue(server.isRegistered(perTopic));
        // Key order is part of the contract (exporters keep it).
        assertEquals("type=BrokerTopicMetrics,name=BytesInPerSec,topic=orders",
                server.queryNames(perTopic, null).iterator().next().getKeyPropertyListString());

        Map<String, String> meter = attributeTypes("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec");
        assertEquals(Map.of("Count", "long", "MeanRate", "double", "OneMinuteRate", "double", "FiveMinuteRate",
                "double", "FifteenMinuteRate", "double", "RateUnit", TimeUnit.class.getName(), "EventType",
                String.class.getName()), meter);

        assertEquals(Map.of("Value", Object.class.getName()),
                attributeTypes("kafka.server:type=ReplicaManager,name=PartitionCount"));

        Map<String, String> histogram = attributeTypes("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce");
        assertEquals(List.of("50thPercentile", "75thPercentile", "95thPercentile", "98thPercentile", "999thPercentile",
                "99thPercentile", "Count", "Max", "Mean", "Min", "StdDev"), histogram.keySet().stream().sorted().toList());
        assertEquals("long", histogram.get("Count"));
        assertEquals("double", histogram.get("99thPercentile"));

        ObjectName appInfo = new ObjectName("kafka.server:type=app-info,id=7");
        assertEquals("4.4.0", server.getAttribute(appInfo, "version"));
        assertEquals("abc", server.getAttribute(appInfo, "commit-id"));
        assertEquals(42L, server.getAttribute(appInfo, "start-time-ms"));
    }

    @Test
    public void valuesAreReadLiveAndRatesMoveOnTheTick() throws Exception {
        mbeans.add(source);
        mbeans.sync();
        ObjectName total = new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec");
        bytesIn.mark(500);
        assertEquals(500L, server.getAttribute(total, "Count"));
        assertEquals("bytes", server.getAttribute(total, "EventType"));
        assertEquals(TimeUnit.SECONDS, server.getAttribute(total, "RateUnit"));
        assertEquals(0.0, (double) server.getAttribute(total, "OneMinuteRate"), 0.0);

        nanos.addAndGet(MeterRates.TICK_NANOS);
        mbeans.tick();
        assertEquals(100.0, (double) server.getAttribute(total, "OneMinuteRate"), 1e-9);
        assertEquals(100.0, (double) server.getAttribute(total, "FifteenMinuteRate"), 1e-9);
        assertEquals(100.0, (double) server.getAttribute(total, "MeanRate"), 1e-9);

        nanos.addAndGet(MeterRates.TICK_NANOS);
        mbeans.tick(); // nothing new: the rates decay, the one-minute fastest
        double one = (double) server.getAttribute(total, "OneMinuteRate");
        double fifteen = (double) server.getAttribute(total, "FifteenMinuteRate");
        assertTrue(one < fifteen && fifteen < 100.0);

        partitions.set(9);
        assertEquals(9L, server.getAttribute(new ObjectName("kafka.server:type=ReplicaManager,name=PartitionCount"),
                "Value"));

        for (long v : new long[] {1, 2, 3, 4, 100}) {
            totalTime.update(v);
        }
        ObjectName time = new ObjectName("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce");
        assertEquals(5L, server.getAttribute(time, "Count"));
        assertEquals(1.0, (double) server.getAttribute(time, "Min"), 0.0);
        assertEquals(100.0, (double) server.getAttribute(time, "Max"), 0.0);
        assertEquals(22.0, (double) server.getAttribute(time, "Mean"), 1e-9);
        assertEquals(3.0, (double) server.getAttribute(time, "50thPercentile"), 0.0);
        assertEquals(100.0, (double) server.getAttribute(time, "99thPercentile"), 0.0);
    }

    @Test
    public void metricsThatGoAreUnregisteredAndAllGoAtTheEnd() throws Exception {
        mbeans.add(source);
        mbeans.sync();
        ObjectName perTopic = new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=orders");
        assertTrue(server.isRegistered(perTopic));
        topicPresent = false;
        mbeans.sync();
        assertFalse(server.isRegistered(perTopic));
        assertTrue(server.isRegistered(new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec")));

        mbeans.remove(source);
        mbeans.sync();
        assertEquals(0, mbeans.size());
        assertTrue(server.queryNames(new ObjectName("kafka.*:*"), null).isEmpty());
    }

    @Test
    public void aFailingSourceDoesNotStopTheOthers() throws Exception {
        mbeans.add(v -> {
            throw new IllegalStateException("broken");
        });
        mbeans.add(source);
        mbeans.sync();
        assertTrue(server.isRegistered(new ObjectName("kafka.server:type=ReplicaManager,name=PartitionCount")));
    }

    @Test
    public void histogramPercentilesAreBucketBoundsCappedByTheExtremes() {
        Histogram h = new Histogram();
        assertEquals(0.0, h.snapshot().percentile(0.99), 0.0);
        for (int i = 0; i < 100; i++) {
            h.update(i < 90 ? 1 : 17);
        }
        Histogram.Snapshot s = h.snapshot();
        assertEquals(1.0, s.percentile(0.5), 0.0);
        assertEquals(17.0, s.percentile(0.95), 0.0); // bucket (15, 20], capped at the max seen
        assertEquals(Arrays.asList(1.0, 17.0), Arrays.asList(s.min(), s.max()));
    }

    @Test(expected = IllegalArgumentException.class)
    public void tagsComeInPairs() {
        MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec", "topic");
    }

    @Test(expected = IllegalArgumentException.class)
    public void namePartsCannotBreakTheObjectName() {
        MetricName.of("kafka.server", "Broker,Topic", "BytesInPerSec");
    }
}
