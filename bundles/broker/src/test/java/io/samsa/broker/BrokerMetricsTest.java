package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.fetch;
import static io.samsa.broker.BrokerFixture.produce;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.FetchResult;
import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricVisitor;

public class BrokerMetricsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private BrokerServer broker;
    private BrokerMetrics metrics;
    private final TopicPartition tp = new TopicPartition("events", 0);

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "events", 2);
        metrics = new BrokerMetrics(() -> broker, () -> 0, () -> BrokerMetrics.RUNNING,
                () -> Map.of("version", "1.0", "commit-id", "x", "start-time-ms", 1L));
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    /** What one visit listed. */
    private static final class Listed implements MetricVisitor {
        final Map<String, Meter> meters = new HashMap<>();
        final Map<String, LongSupplier> gauges = new HashMap<>();
        final Map<String, Map<String, Object>> infos = new HashMap<>();

        @Override
        public void meter(MetricName name, Meter meter) {
            meters.put(name.objectName(), meter);
        }

        @Override
        public void gauge(MetricName name, LongSupplier value) {
            gauges.put(name.objectName(), value);
        }

        @Override
        public void histogram(MetricName name, Histogram histogram) {
        }

        @Override
        public void info(MetricName name, Map<String, Object> attributes) {
            infos.put(name.objectName(), attributes);
        }

        long count(String name) {
            Meter m = meters.get("kafka.server:type=BrokerTopicMetrics,name=" + name);
            assertNotNull("no meter " + name + " in " + meters.keySet(), m);
            return m.count();
        }

        long value(String objectName) {
            LongSupplier g = gauges.get(objectName);
            assertNotNull("no gauge " + objectName + " in " + gauges.keySet(), g);
            return g.getAsLong();
        }
    }

    private Listed visit() {
        Listed listed = new Listed();
        metrics.visit(listed);
        return listed;
    }

    @Test
    public void aProduceOfNRecordsMovesMessagesAndBytesInByNForTheTopicAndAll() throws Exception {
        ByteBuffer batch = Records.batch("a", "b", "c");
        int bytes = batch.remaining();
        assertEquals(Errors.NONE, produce(broker, tp, batch).error());
        assertEquals(Errors.NONE, produce(broker, tp, Records.batch("d", "e")).error());
        int secondBytes = Records.batch("d", "e").remaining();

        Listed m = visit();
        assertEquals(5, m.count("MessagesInPerSec"));
        assertEquals(5, m.count("MessagesInPerSec,topic=events"));
        assertEquals(bytes + secondBytes, m.count("BytesInPerSec"));
        assertEquals(bytes + secondBytes, m.count("BytesInPerSec,topic=events"));
        assertEquals(2, m.count("TotalProduceRequestsPerSec,topic=events"));
        assertEquals(0, m.count("FailedProduceRequestsPerSec,topic=events"));
    }

    @Test
    public void aFailedProduceCountsAsFailedAndNotAsBytesIn() throws Exception {
        ByteBuffer corrupt = Records.batch("a");
        corrupt.put(corrupt.position() + 20, (byte) ~corrupt.get(corrupt.position() + 20)); // breaks the CRC
        assertTrue(produce(broker, tp, corrupt).error() != Errors.NONE);
        assertTrue(produce(broker, new TopicPartition("missing", 0), Records.batch("b")).error() != Errors.NONE);

        Listed m = visit();
        assertEquals(2, m.count("FailedProduceRequestsPerSec"));
        assertEquals(2, m.count("TotalProduceRequestsPerSec"));
        assertEquals(1, m.count("FailedProduceRequestsPerSec,topic=events"));
        assertEquals(0, m.count("MessagesInPerSec"));
        assertEquals(0, m.count("BytesInPerSec"));
        assertFalse("a topic not hosted here gets no meters",
                m.meters.containsKey("kafka.server:type=BrokerTopicMetrics,name=TotalProduceRequestsPerSec,topic=missing"));
    }

    @Test
    public void aConsumerFetchMovesBytesOutByWhatItReadAndAFailedOneCountsAsFailed() throws Exception {
        produce(broker, tp, Records.batch("a", "b", "c"));
        FetchResult read = fetch(broker, tp, 0);
        assertEquals(Errors.NONE, read.error());
        assertTrue(read.records().sizeInBytes() > 0);
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, fetch(broker, tp, 99).error());

        Listed m = visit();
        assertEquals(read.records().sizeInBytes(), m.count("BytesOutPerSec"));
        assertEquals(read.records().sizeInBytes(), m.count("BytesOutPerSec,topic=events"));
        assertEquals(2, m.count("TotalFetchRequestsPerSec,topic=events"));
        assertEquals(1, m.count("FailedFetchRequestsPerSec,topic=events"));
        assertEquals(0, m.count("ReplicationBytesOutPerSec"));
    }

    @Test
    public void partitionLogAndBrokerGaugesReadTheBroker() throws Exception {
        produce(broker, tp, Records.batch("a", "b", "c"));
        Listed m = visit();
        assertEquals(2, m.value("kafka.server:type=ReplicaManager,name=PartitionCount"));
        assertEquals(2, m.value("kafka.server:type=ReplicaManager,name=LeaderCount"));
        assertEquals(0, m.value("kafka.server:type=ReplicaManager,name=OfflineReplicaCount"));
        assertEquals(3, m.value("kafka.server:type=KafkaServer,name=BrokerState"));
        assertEquals(3, m.value("kafka.log:type=Log,name=LogEndOffset,topic=events,partition=0"));
        assertEquals(0, m.value("kafka.log:type=Log,name=LogStartOffset,topic=events,partition=0"));
        assertTrue(m.value("kafka.log:type=Log,name=Size,topic=events,partition=0") > 0);
        assertEquals(0, m.value("kafka.log:type=Log,name=LogEndOffset,topic=events,partition=1"));
        assertEquals("1.0", m.infos.get("kafka.server:type=app-info,id=0").get("version"));
        assertTrue("idle topics have their meters too",
                m.meters.containsKey("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=events"));
    }

    @Test
    public void aStoppedBrokerListsOnlyItsStateAndAppInfo() {
        BrokerMetrics stopped = new BrokerMetrics(() -> null, () -> 5, () -> BrokerMetrics.NOT_RUNNING, Map::of);
        Listed m = new Listed();
        stopped.visit(m);
        assertEquals(0, m.value("kafka.server:type=KafkaServer,name=BrokerState"));
        assertTrue(m.infos.containsKey("kafka.server:type=app-info,id=5"));
        assertTrue(m.meters.isEmpty());
    }
}
