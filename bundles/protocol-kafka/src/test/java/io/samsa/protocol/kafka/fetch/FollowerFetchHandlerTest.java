package io.samsa.protocol.kafka.fetch;

import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ReplicaState;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.Before;
import org.junit.Test;

import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.LogDirDescription;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.LogSlice;
import io.samsa.protocol.kafka.api.RequestContext;
import io.samsa.protocol.kafka.network.ClientChannel;
import io.samsa.testsupport.InMemoryCluster;
import io.samsa.testsupport.InMemoryPartitions;

/** A follower's Fetch: who it is, where its log ends and its epoch reach the broker; DivergingEpoch comes back. */
public class FollowerFetchHandlerTest {

    private final InMemoryCluster cluster = new InMemoryCluster(new InMemoryPartitions());
    private final RecordingPartitions partitions = new RecordingPartitions();
    private final FetchHandler handler = new FetchHandler(cluster, partitions,
            new FetchSessionCache(10, 60_000, System::currentTimeMillis));
    private final TopicPartition tp = new TopicPartition("replicated", 0);
    private Uuid topicId;

    @Before
    public void createTopic() {
        cluster.createTopic("replicated", 1, (short) 1, Map.of(), Map.of(), false);
        topicId = cluster.topic("replicated").get().topicId();
    }

    private FetchResponseData fetch(short version, FetchRequestData request) throws Exception {
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.FETCH, version, "replica-fetcher", 7),
                new ClientChannel() {
                    @Override
                    public String clientAddress() {
                        return "/127.0.0.1:9999";
                    }

                    @Override
                    public void abandonReadBuffer() {
                    }
                });
        FetchResponseData response = handler.handle(context, request).toCompletableFuture().get(5, TimeUnit.SECONDS);
        // What goes on the wire at that version, read back: a field the version lacks would fail here.
        ByteBuffer bytes = MessageUtil.toVersionPrefixedByteBuffer(version, response);
        bytes.getShort();
        return new FetchResponseData(new org.apache.kafka.common.protocol.ByteBufferAccessor(bytes), version);
    }

    private static FetchPartition partition(long offset, int currentLeaderEpoch, int lastFetchedEpoch,
            long logStartOffset) {
        return new FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(1 << 20)
                .setCurrentLeaderEpoch(currentLeaderEpoch).setLastFetchedEpoch(lastFetchedEpoch)
                .setLogStartOffset(logStartOffset);
    }

    @Test
    public void fromVersion15TheFollowerIsNamedInReplicaState() throws Exception {
        partitions.answer = new FetchResult(Errors.NONE, 40, 40, 3, LogSlice.EMPTY);
        FetchRequestData request = new FetchRequestData().setReplicaId(-1)
                .setReplicaState(new ReplicaState().setReplicaId(2).setReplicaEpoch(8_589_934_599L))
                .setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(-1);
        request.topics().add(new FetchTopic().setTopicId(topicId).setPartitions(List.of(partition(42, 6, 5, 3))));

        PartitionData answered = only(fetch((short) 17, request));
        assertEquals(2, partitions.replicaId);
        assertEquals(8_589_934_599L, partitions.replicaEpoch);
        assertEquals(Map.of(tp, new FetchPosition(42, 1 << 20, 6, 5, 3)), partitions.positions);
        assertEquals(Errors.NONE.code(), answered.errorCode());
        assertEquals(40, answered.highWatermark());
        assertEquals("no divergence, none reported", -1, answered.divergingEpoch().epoch());
    }

    @Test
    public void atVersion12AFollowerHearsWhereItsLogDiverged() throws Exception {
        partitions.answer = new FetchResult(Errors.NONE, 40, 40, 0, LogSlice.EMPTY,
                Optional.of(new EpochEndOffset(4, 37)));
        FetchRequestData request = new FetchRequestData().setReplicaId(2).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(-1);
        request.topics().add(new FetchTopic().setTopic("replicated").setPartitions(List.of(partition(45, 6, 5, 0))));

        PartitionData answered = only(fetch((short) 12, request));
        assertEquals("before v15 the follower is the request's ReplicaId", 2, partitions.replicaId);
        assertEquals("and has no broker epoch", -1, partitions.replicaEpoch);
        assertEquals(Map.of(tp, new FetchPosition(45, 1 << 20, 6, 5, 0)), partitions.positions);
        assertEquals(4, answered.divergingEpoch().epoch());
        assertEquals(37, answered.divergingEpoch().endOffset());
        assertEquals(Errors.NONE.code(), answered.errorCode());
    }

    @Test
    public void aDivergedFollowerInASessionHearsItEvenWithNothingElseNew() throws Exception {
        partitions.answer = new FetchResult(Errors.NONE, 40, 40, 0, LogSlice.EMPTY);
        FetchRequestData full = new FetchRequestData().setReplicaId(2).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(0);
        full.topics().add(new FetchTopic().setTopic("replicated").setPartitions(List.of(partition(40, 6, 6, 0))));
        FetchResponseData opened = fetch((short) 12, full);
        only(opened);

        // The next request names no partition: the session's cached position and epochs are fetched.
        partitions.answer = new FetchResult(Errors.NONE, 40, 40, 0, LogSlice.EMPTY,
                Optional.of(new EpochEndOffset(5, 38)));
        FetchRequestData incremental = new FetchRequestData().setReplicaId(2).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionId(opened.sessionId()).setSessionEpoch(1);
        PartitionData answered = only(fetch((short) 12, incremental));
        assertEquals(Map.of(tp, new FetchPosition(40, 1 << 20, 6, 6, 0)), partitions.positions);
        assertEquals(5, answered.divergingEpoch().epoch());
        assertEquals(38, answered.divergingEpoch().endOffset());
    }

    @Test
    public void aConsumerBeforeVersion15IsNoReplica() throws Exception {
        partitions.answer = new FetchResult(Errors.NONE, 1, 1, 0, LogSlice.EMPTY);
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(-1);
        request.topics().add(new FetchTopic().setTopic("replicated").setPartitions(List.of(
                new FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(100))));
        only(fetch((short) 4, request));
        assertEquals(-1, partitions.replicaId);
        assertEquals(-1, partitions.replicaEpoch);
        assertEquals("fields the version lacks are -1", Map.of(tp, new FetchPosition(0, 100, -1, -1, -1)),
                partitions.positions);
    }

    private static PartitionData only(FetchResponseData response) {
        assertEquals(Errors.NONE.code(), response.errorCode());
        assertEquals(1, response.responses().size());
        assertEquals(1, response.responses().get(0).partitions().size());
        return response.responses().get(0).partitions().get(0);
    }

    /** Answers every fetch with {@link #answer} and records what it was asked. */
    private static final class RecordingPartitions implements PartitionService {
        volatile FetchResult answer;
        volatile int replicaId = Integer.MIN_VALUE;
        volatile long replicaEpoch = Long.MIN_VALUE;
        volatile Map<TopicPartition, FetchPosition> positions;

        @Override
        public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long replicaEpoch,
                long maxWaitMs, int minBytes, int maxBytes, IsolationLevel isolation,
                Map<TopicPartition, FetchPosition> requested) {
            this.replicaId = replicaId;
            this.replicaEpoch = replicaEpoch;
            this.positions = new LinkedHashMap<>(requested);
            Map<TopicPartition, FetchResult> results = new LinkedHashMap<>();
            requested.keySet().forEach(tp -> results.put(tp, answer));
            return CompletableFuture.completedFuture(results);
        }

        @Override
        public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs, int minBytes,
                int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> requested) {
            throw new AssertionError("the handler must pass the replica epoch");
        }

        @Override
        public CompletableFuture<Map<TopicPartition, ProduceResult>> append(Map<TopicPartition, ByteBuffer> records,
                short requiredAcks, int timeoutMs, boolean internal) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OffsetLookup listOffset(TopicPartition partition, long timestamp, IsolationLevel isolation) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OffsetLookup deleteRecords(TopicPartition partition, long offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public EpochLookup offsetForLeaderEpoch(TopicPartition partition, int currentLeaderEpoch, int leaderEpoch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<LogDirDescription> describeLogDirs() {
            throw new UnsupportedOperationException();
        }
    }
}
