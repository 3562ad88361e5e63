package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.TestBroker;

/** Fetch sessions (KIP-227) and long polls, by topic name (v12) and by topic id (v17). */
public class FetchSessionTest {

    private TestBroker broker;
    private RawClient client;
    private Uuid topicId;

    @Before
    public void start() throws Exception {
        broker = new TestBroker();
        broker.cluster.createTopic("fs", 2, (short) 1, Map.of(), Map.of(), false);
        topicId = broker.cluster.topic("fs").get().topicId();
        client = new RawClient(broker.address());
    }

    @After
    public void stop() throws Exception {
        client.close();
        broker.close();
    }

    @Test
    public void incrementalFetchesCarryOnlyNews() throws Exception {
        append(0, "a", "b", "c");
        FetchResponseData full = fetch((short) 12, 0, 0, List.of(partition(0, 0), partition(1, 0)), List.of());
        int session = full.sessionId();
        assertNotEquals(0, session);
        Map<Integer, PartitionData> answered = byPartition(full);
        assertEquals(List.of("a", "b", "c"), values(answered.get(0)));
        assertEquals(0, values(answered.get(1)).size());
        assertEquals(3, answered.get(0).highWatermark());

        // Nothing new: the partition whose offset moved is sent, and nothing comes back.
        FetchResponseData quiet = fetch((short) 12, session, 1, List.of(partition(0, 3)), List.of());
        assertEquals(Errors.NONE.code(), quiet.errorCode());
        assertEquals(session, quiet.sessionId());
        assertTrue(byPartition(quiet).isEmpty());

        append(1, "x");
        Map<Integer, PartitionData> news = byPartition(fetch((short) 12, session, 2, List.of(), List.of()));
        assertEquals(List.of(1), new ArrayList<>(news.keySet()));
        assertEquals(List.of("x"), values(news.get(1)));

        FetchResponseData stale = fetch((short) 12, session, 2, List.of(), List.of());
        assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH.code(), stale.errorCode());
        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                fetch((short) 12, session + 1, 1, List.of(), List.of()).errorCode());
        assertEquals(Errors.FETCH_SESSION_TOPIC_ID_ERROR.code(),
                fetch((short) 17, session, 3, List.of(), List.of()).errorCode());

        // Forgotten partitions are no longer reported; the others still are.
        FetchResponseData forgot = fetch((short) 12, session, 3, List.of(partition(1, 1)), List.of(1));
        assertEquals(session, forgot.sessionId());
        append(1, "y");
        append(0, "d");
        Map<Integer, PartitionData> afterForget = byPartition(fetch((short) 12, session, 4, List.of(), List.of()));
        assertEquals(List.of(0), new ArrayList<>(afterForget.keySet()));
        assertEquals(List.of("d"), values(afterForget.get(0)));

        // Epoch -1 closes the session and fetches without one.
        FetchResponseData closing = fetch((short) 12, session, -1, List.of(partition(1, 1)), List.of());
        assertEquals(0, closing.sessionId());
        assertEquals(List.of("y"), values(byPartition(closing).get(1)));
        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                fetch((short) 12, session, 5, List.of(), List.of()).errorCode());
    }

    @Test
    public void sessionThatLosesAllPartitionsEnds() throws Exception {
        int session = fetch((short) 12, 0, 0, List.of(partition(0, 0)), List.of()).sessionId();
        FetchResponseData emptied = fetch((short) 12, session, 1, List.of(), List.of(0));
        assertEquals(0, emptied.sessionId());
        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                fetch((short) 12, session, 2, List.of(), List.of()).errorCode());
    }

    @Test
    public void topicIdsFromVersion13() throws Exception {
        append(0, "by-id");
        Uuid unknown = Uuid.randomUuid();
        FetchRequestData request = request(0, 0, 0);
        request.topics().add(new FetchTopic().setTopicId(topicId).setPartitions(List.of(partition(0, 0))));
        request.topics().add(new FetchTopic().setTopicId(unknown).setPartitions(List.of(partition(0, 0))));
        FetchResponseData response = (FetchResponseData) client.call(ApiKeys.FETCH, (short) 17, request);
        assertNotEquals(0, response.sessionId());
        assertEquals(2, response.responses().size());
        FetchableTopicResponse known = response.responses().get(0);
        assertEquals(topicId, known.topicId());
        assertEquals(List.of("by-id"), values(known.partitions().get(0)));
        FetchableTopicResponse missing = response.responses().get(1);
        assertEquals(unknown, missing.topicId());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), missing.partitions().get(0).errorCode());

        // The unknown topic keeps failing, so it stays in incremental responses; the known one is quiet.
        FetchRequestData next = request(response.sessionId(), 1, 0);
        next.topics().add(new FetchTopic().setTopicId(topicId).setPartitions(List.of(partition(0, 1))));
        FetchResponseData incremental = (FetchResponseData) client.call(ApiKeys.FETCH, (short) 17, next);
        assertEquals(1, incremental.responses().size());
        assertEquals(unknown, incremental.responses().get(0).topicId());
    }

    @Test
    public void longPollWaitsForData() throws Exception {
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(200);
                append(0, "late");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long start = System.nanoTime();
        writer.start();
        FetchRequestData request = request(0, -1, 5000).setMinBytes(1);
        request.topics().add(new FetchTopic().setTopic("fs").setPartitions(List.of(partition(0, 0))));
        FetchResponseData response = (FetchResponseData) client.call(ApiKeys.FETCH, (short) 12, request);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        writer.join();
        assertEquals(List.of("late"), values(byPartition(response).get(0)));
        assertTrue("answered when data came, not at maxWait: " + tookMs + " ms", tookMs < 4000);
    }

    @Test
    public void fetchBeyondTheLogIsAnError() throws Exception {
        FetchResponseData response = fetch((short) 4, 0, -1, List.of(partition(0, 99)), List.of());
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), byPartition(response).get(0).errorCode());
    }

    private FetchResponseData fetch(short version, int session, int epoch, List<FetchPartition> partitions,
            List<Integer> forgotten) throws Exception {
        FetchRequestData request = request(session, epoch, 50);
        if (!partitions.isEmpty()) {
            request.topics().add(new FetchTopic().setTopic("fs").setTopicId(topicId).setPartitions(partitions));
        }
        if (!forgotten.isEmpty()) {
            request.forgottenTopicsData().add(new ForgottenTopic().setTopic("fs").setTopicId(topicId)
                    .setPartitions(forgotten));
        }
        return (FetchResponseData) client.call(ApiKeys.FETCH, version, request);
    }

    private static FetchRequestData request(int session, int epoch, int maxWaitMs) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(maxWaitMs).setMinBytes(0)
                .setMaxBytes(1024 * 1024).setSessionId(session).setSessionEpoch(epoch);
    }

    private static FetchPartition partition(int partition, long offset) {
        return new FetchPartition().setPartition(partition).setFetchOffset(offset).setPartitionMaxBytes(64 * 1024);
    }

    private static Map<Integer, PartitionData> byPartition(FetchResponseData response) {
        Map<Integer, PartitionData> result = new HashMap<>();
        for (FetchableTopicResponse topic : response.responses()) {
            topic.partitions().forEach(p -> result.put(p.partitionIndex(), p));
        }
        return result;
    }

    private static List<String> values(PartitionData data) {
        List<String> values = new ArrayList<>();
        for (Record record : ((MemoryRecords) data.records()).records()) {
            values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
        }
        return values;
    }

    private void append(int partition, String... values) throws Exception {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        ByteBuffer batch = MemoryRecords.withRecords(Compression.NONE, records).buffer();
        broker.partitions.append(Map.of(new TopicPartition("fs", partition), batch), (short) 1, 1000, false).get();
    }
}
