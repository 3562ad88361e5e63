package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.produce;
import static org.junit.Assert.assertEquals;

import java.util.Map;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;

public class ListOffsetsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private BrokerServer broker;
    private PartitionService service;
    private final TopicPartition tp = new TopicPartition("times", 0);
    private static final IsolationLevel RU = IsolationLevel.READ_UNCOMMITTED;

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "times", 1);
        service = broker.partitionService();
        produce(broker, tp, Records.batchAt(Compression.NONE, 1_000, "a", "b"));
        produce(broker, tp, Records.batchAt(Compression.NONE, 5_000, "c", "d", "e"));
        produce(broker, tp, Records.batchAt(Compression.NONE, 3_000, "f"));
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    @Test
    public void earliestLatestAndMaxTimestamp() {
        assertEquals(new OffsetLookup(Errors.NONE, -1, 0, 0), service.listOffset(tp, -2, RU));
        assertEquals(new OffsetLookup(Errors.NONE, -1, 6, 0), service.listOffset(tp, -1, RU));
        assertEquals(new OffsetLookup(Errors.NONE, -1, 0, 0), service.listOffset(tp, -4, RU));
        OffsetLookup max = service.listOffset(tp, -3, RU);
        assertEquals(5_002, max.timestamp());
        assertEquals(4, max.offset());
        assertEquals(-1, service.listOffset(tp, -5, RU).offset());
    }

    @Test
    public void byTimestamp() {
        assertEquals(0, service.listOffset(tp, 0, RU).offset());
        OffsetLookup second = service.listOffset(tp, 1_001, RU);
        assertEquals(1, second.offset());
        assertEquals(1_001, second.timestamp());
        assertEquals(2, service.listOffset(tp, 4_000, RU).offset());
        OffsetLookup none = service.listOffset(tp, 9_999, RU);
        assertEquals(Errors.NONE, none.error());
        assertEquals(-1, none.offset());
    }

    @Test
    public void offsetForLeaderEpochFromTheEpochCheckpoint() {
        // Six records written in epoch 0, the leader's only epoch: it ends at the log end.
        assertEquals(new EpochLookup(Errors.NONE, 0, 6), service.offsetForLeaderEpoch(tp, -1, 0));
        assertEquals(new EpochLookup(Errors.NONE, 0, 6), service.offsetForLeaderEpoch(tp, 0, 0));
        assertEquals("a later epoch is unknown", new EpochLookup(Errors.NONE, -1, -1),
                service.offsetForLeaderEpoch(tp, 0, 5));
        assertEquals("a caller ahead of the leader", EpochLookup.error(Errors.UNKNOWN_LEADER_EPOCH),
                service.offsetForLeaderEpoch(tp, 1, 0));
        assertEquals(EpochLookup.error(Errors.UNKNOWN_TOPIC_OR_PARTITION),
                service.offsetForLeaderEpoch(new TopicPartition("nope", 0), -1, 0));
    }

    @Test
    public void aFollowerChecksTheEpochOfTheStateItFollows() throws Exception {
        fixture.apply(broker, tp, 1, 3, 1); // broker 1 leads at epoch 3
        assertEquals(EpochLookup.error(Errors.FENCED_LEADER_EPOCH), service.offsetForLeaderEpoch(tp, 2, 0));
        assertEquals(EpochLookup.error(Errors.UNKNOWN_LEADER_EPOCH), service.offsetForLeaderEpoch(tp, 4, 0));
        assertEquals(EpochLookup.error(Errors.NOT_LEADER_OR_FOLLOWER), service.offsetForLeaderEpoch(tp, 3, 0));
        assertEquals(EpochLookup.error(Errors.NOT_LEADER_OR_FOLLOWER), service.offsetForLeaderEpoch(tp, -1, 0));
    }

    @Test
    public void errorsForUnknownPartitions() {
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                service.listOffset(new TopicPartition("nope", 0), -1, RU).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                service.deleteRecords(new TopicPartition("nope", 0), 1).error());
    }

    @Test
    public void deleteRecordsAdvancesLogStart() throws Exception {
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, service.deleteRecords(tp, 7).error());
        OffsetLookup r = service.deleteRecords(tp, 2);
        assertEquals(Errors.NONE, r.error());
        assertEquals(2, r.offset());
        assertEquals(2, service.listOffset(tp, -2, RU).offset());
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, BrokerFixture.fetch(broker, tp, 0).error());
        assertEquals(2, BrokerFixture.fetch(broker, tp, 0).logStartOffset());
        assertEquals("deleting below the start changes nothing", 2, service.deleteRecords(tp, 1).offset());
        assertEquals("-1 means the high watermark", 6, service.deleteRecords(tp, -1).offset());
    }
}
