package io.samsa.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.broker.TopicView;

/** The shared one-broker fakes keep what they promise the bundles' tests. */
public class InMemoryPartitionsTest {
    private final InMemoryPartitions partitions = new InMemoryPartitions();
    private final InMemoryCluster cluster = new InMemoryCluster(partitions);
    private final TopicPartition tp = new TopicPartition("t", 0);

    @After
    public void close() {
        partitions.close();
    }

    private static ByteBuffer batch(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(("k" + i).getBytes(UTF_8), values[i].getBytes(UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records).buffer();
    }

    private ProduceResult append(ByteBuffer records) throws Exception {
        return partitions.append(Map.of(tp, records), (short) -1, 1000, false).get(5, TimeUnit.SECONDS).get(tp);
    }

    private FetchResult fetch(long offset) throws Exception {
        return partitions.fetch(-1, 0, 0, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                Map.of(tp, new FetchPosition(offset, 1 << 20, -1))).get(5, TimeUnit.SECONDS).get(tp);
    }

    private List<String> values() {
        return partitions.records(tp).stream().map(r -> UTF_8.decode(r.value()).toString()).toList();
    }

    @Test
    public void appendsGetOffsetsAndAreReadBack() throws Exception {
        cluster.createTopic("t", 1, (short) 1, Map.of(), Map.of(), false);
        assertEquals(0L, append(batch("a", "b")).baseOffset());
        assertEquals(2L, append(batch("c")).baseOffset());
        assertEquals(List.of("a", "b", "c"), values());
        FetchResult r = fetch(2);
        assertEquals(Errors.NONE, r.error());
        assertEquals(3L, r.highWatermark());
        assertTrue(r.records().sizeInBytes() > 0);
        assertEquals(new InMemoryPartitions.AppendCall(Set.of(tp), (short) -1, false), partitions.appendCalls().get(0));
        assertEquals(2, partitions.appendCalls().size());
    }

    @Test
    public void unknownPartitionsAndOffsetsAreErrors() throws Exception {
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, append(batch("a")).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, fetch(0).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                partitions.listOffset(tp, -2, IsolationLevel.READ_UNCOMMITTED).error());
        assertThrows(IllegalArgumentException.class, () -> partitions.records(tp));
        cluster.addTopic("t", 1, Map.of());
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, fetch(5).error());
        assertEquals(Errors.CORRUPT_MESSAGE, append(ByteBuffer.wrap(new byte[70])).error());
    }

    @Test
    public void appendsCanFailOrWait() throws Exception {
        cluster.addTopic("t", 1, Map.of());
        partitions.failAppends(Errors.NOT_ENOUGH_REPLICAS);
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, append(batch("lost")).error());
        assertEquals("a failed append writes nothing", List.of(), values());
        partitions.failAppends(Errors.NONE);

        partitions.holdAppends();
        CompletableFuture<Map<TopicPartition, ProduceResult>> held = partitions.append(Map.of(tp, batch("x")),
                (short) -1, 1000, true);
        assertFalse(held.isDone());
        assertEquals("written, not yet acknowledged", List.of("x"), values());
        partitions.releaseAppends();
        assertEquals(Errors.NONE, held.get(5, TimeUnit.SECONDS).get(tp).error());
    }

    @Test
    public void heldFetchesWaitForTheRelease() throws Exception {
        cluster.addTopic("t", 1, Map.of());
        partitions.holdFetches();
        CompletableFuture<Map<TopicPartition, FetchResult>> f = partitions.fetch(-1, 0, 0, 1024,
                IsolationLevel.READ_UNCOMMITTED, Map.of(tp, new FetchPosition(0, 1024, -1)));
        assertFalse(f.isDone());
        partitions.releaseFetches();
        assertEquals(Errors.NONE, f.get(5, TimeUnit.SECONDS).get(tp).error());
        assertEquals(1, partitions.fetches());
    }

    @Test
    public void theClusterRecordsCreationsMovesLeadersAndRefusesBadTopics() {
        cluster.addTopic("existing", 2, Map.of());
        assertEquals(Errors.NONE, cluster.createTopic("made", 3, (short) 1, Map.of(), Map.of("cleanup.policy",
                "compact"), false).error());
        assertEquals(List.of(new InMemoryCluster.Creation("made", 3, (short) 1, Map.of("cleanup.policy",
                "compact"))), cluster.creations());
        assertEquals(Errors.TOPIC_ALREADY_EXISTS, cluster.createTopic("made", 3, (short) 1, Map.of(), Map.of(),
                false).error());
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, cluster.createTopic("big", 1, (short) 3, Map.of(), Map.of(),
                false).error());
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, cluster.createTopic("bad name!", 1, (short) 1, Map.of(),
                Map.of(), false).error());
        assertEquals(Errors.INVALID_CONFIG, cluster.createTopic("conf", 1, (short) 1, Map.of(),
                Map.of("segment.bytes", "1"), false).error());
        assertEquals(1, cluster.creations().size());

        cluster.setLeader("made", 1, 4);
        TopicView moved = cluster.topic("made").orElseThrow();
        assertTrue(moved.partitions().stream().allMatch(p -> p.leader() == 1 && p.leaderEpoch() == 4));
        assertThrows(IllegalArgumentException.class, () -> cluster.setLeader("missing", 1, 1));
        assertTrue(cluster.topic((String) null).isEmpty());
        assertNull(cluster.describeTopicConfig("missing"));
    }

    @Test
    public void recordsKeepTombstones() throws Exception {
        cluster.addTopic("t", 1, Map.of());
        append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(UTF_8), null)).buffer());
        List<Record> records = partitions.records(tp);
        assertEquals(1, records.size());
        assertFalse(records.get(0).hasValue());
    }
}
