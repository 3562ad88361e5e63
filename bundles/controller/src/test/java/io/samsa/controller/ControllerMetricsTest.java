package io.samsa.controller;

import static org.junit.Assert.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;
import io.samsa.api.replication.PartitionState;
import io.samsa.testsupport.Poll;

/** The KafkaController gauges: 1 active controller, and its view of topics, partitions and offline ones. */
public class ControllerMetricsTest {
    private final ControllerTestCluster cluster = new ControllerTestCluster();

    @After
    public void close() {
        cluster.close();
    }

    private static Map<String, Long> gauges(MetricSource source) {
        Map<String, Long> values = new HashMap<>();
        source.visit(new MetricVisitor() {
            @Override
            public void meter(MetricName name, Meter meter) {
            }

            @Override
            public void gauge(MetricName name, LongSupplier value) {
                values.put(name.name(), value.getAsLong());
                assertEquals("kafka.controller:type=KafkaController,name=" + name.name(), name.objectName());
            }

            @Override
            public void histogram(MetricName name, Histogram histogram) {
            }

            @Override
            public void info(MetricName name, Map<String, Object> attributes) {
            }
        });
        return values;
    }

    private static long gauge(ControllerComponent c, String name) {
        return gauges(c.metrics()).get(name);
    }

    @Test
    public void onlyTheActiveControllerCountsAndItSeesTopicsPartitionsAndOfflineOnes() {
        cluster.brokers(1, 2);
        ControllerComponent first = cluster.controller(1);
        ControllerTestCluster.awaitTerm(first);
        ControllerComponent second = cluster.controller(2);
        cluster.createTopic("t", List.of(1, 2), List.of(2, 1), List.of(2, 1));
        for (int p = 0; p < 3; p++) {
            cluster.awaitState(new TopicPartition("t", p), "has a state", PartitionState::exists);
        }
        Poll.until("the controller counted the partitions", () -> gauge(first, "GlobalPartitionCount") == 3);
        assertEquals(1, gauge(first, "ActiveControllerCount"));
        assertEquals(1, gauge(first, "GlobalTopicCount"));
        assertEquals(0, gauge(first, "OfflinePartitionsCount"));
        assertEquals(2, gauge(first, "ActiveBrokerCount"));
        assertEquals("every partition is led by its first replica", 0,
                gauge(first, "PreferredReplicaImbalanceCount"));
        Map<String, Long> standby = gauges(second.metrics());
        assertEquals(Map.of("ActiveControllerCount", 0L, "OfflinePartitionsCount", 0L, "GlobalTopicCount", 0L,
                "GlobalPartitionCount", 0L, "ActiveBrokerCount", 0L, "PreferredReplicaImbalanceCount", 0L), standby);

        cluster.createTopic("nowhere", List.of(9)); // broker 9 never registered: no leader to elect
        Poll.until("the partition without a live replica is offline",
                () -> gauge(first, "OfflinePartitionsCount") == 1);
        assertEquals(2, gauge(first, "GlobalTopicCount"));
        assertEquals(4, gauge(first, "GlobalPartitionCount"));
    }

    @Test
    public void aResignedControllerCountsNothing() throws Exception {
        cluster.brokers(1);
        ControllerComponent c = cluster.controller(1);
        ControllerTestCluster.awaitTerm(c);
        cluster.createTopic("t", List.of(1));
        Poll.until("counted", () -> gauge(c, "GlobalTopicCount") == 1);
        c.election().close();
        Poll.until("resigned", () -> c.term() == null);
        assertEquals(0, gauge(c, "ActiveControllerCount"));
        assertEquals(0, gauge(c, "GlobalTopicCount"));
    }
}
