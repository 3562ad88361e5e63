package io.samsa.protocol.kafka.fetch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.TopicView;
import io.samsa.protocol.kafka.api.AsyncApiHandler;
import io.samsa.protocol.kafka.api.RequestContext;

/**
 * Fetch, with incremental fetch sessions (KIP-227) and, from v13, topics named by id. The long
 * poll happens in {@link PartitionService#fetch} and holds no request handler thread; record bytes
 * are answered as log slices.
 * <p>
 * A follower's fetch carries who it is (ReplicaId, or from v15 the ReplicaState tagged field with
 * its broker epoch), and per partition the epoch of its last batch and its log start offset; they
 * go to the broker, which may answer a DivergingEpoch (v12+) instead of records. Sessions keep
 * them for partitions an incremental request does not repeat.
 */
public final class FetchHandler implements AsyncApiHandler<FetchRequestData> {

    private final ClusterView cluster;
    private final PartitionService partitions;
    private final FetchSessionCache sessions;

    public FetchHandler(ClusterView cluster, PartitionService partitions) {
        this(cluster, partitions, new FetchSessionCache(FetchSessionCache.DEFAULT_MAX_SESSIONS,
                FetchSessionCache.DEFAULT_EVICTION_MS, System::currentTimeMillis));
    }

    FetchHandler(ClusterView cluster, PartitionService partitions, FetchSessionCache sessions) {
        this.cluster = cluster;
        this.partitions = partitions;
        this.sessions = sessions;
    }

    @Override
    public CompletionStage<FetchResponseData> handle(RequestContext context, FetchRequestData request) {
        short version = context.apiVersion();
        boolean byId = version >= 13;
        // From v15 a follower names itself in the ReplicaState tagged field, and ReplicaId is -1.
        int replicaId = version >= 15 ? request.replicaState().replicaId() : request.replicaId();
        long replicaEpoch = version >= 15 ? request.replicaState().replicaEpoch() : -1;
        FetchPlan plan = sessions.plan(request.sessionId(), request.sessionEpoch(), byId, replicaId >= 0,
                requested(request, byId), forgotten(request, byId), this::nameOf);
        if (plan.kind == FetchPlan.Kind.ERROR) {
            return CompletableFuture.completedFuture(
                    new FetchResponseData().setErrorCode(plan.error.code()).setSessionId(0));
        }
        return read(plan.targets, request, replicaId, replicaEpoch)
                .thenApply(results -> respond(plan, results, version >= 12));
    }

    /** Runs where the broker completes the read: after the long poll, on the broker's thread. */
    private FetchResponseData respond(FetchPlan plan, Map<TopicPartition, FetchResult> results,
            boolean divergingEpochs) {
        List<PartitionData> answers = new ArrayList<>(plan.targets.size());
        boolean[] hasRecords = new boolean[plan.targets.size()];
        for (int i = 0; i < plan.targets.size(); i++) {
            FetchPlan.Target target = plan.targets.get(i);
            FetchResult result = target.topic() == null ? FetchResult.error(Errors.UNKNOWN_TOPIC_ID)
                    : results.getOrDefault(new TopicPartition(target.topic(), target.cached().key.partition()),
                            FetchResult.error(Errors.UNKNOWN_SERVER_ERROR));
            hasRecords[i] = result.records().sizeInBytes() > 0;
            answers.add(answer(target.cached().key.partition(), result, hasRecords[i], divergingEpochs));
        }
        int sessionId = plan.complete(answers, hasRecords);
        return response(plan.targets, answers, sessionId);
    }

    private CompletableFuture<Map<TopicPartition, FetchResult>> read(List<FetchPlan.Target> targets,
            FetchRequestData request, int replicaId, long replicaEpoch) {
        Map<TopicPartition, FetchPosition> positions = new LinkedHashMap<>();
        for (FetchPlan.Target target : targets) {
            if (target.topic() != null) {
                positions.put(new TopicPartition(target.topic(), target.cached().key.partition()),
                        new FetchPosition(target.fetchOffset(), target.maxBytes(), target.currentLeaderEpoch(),
                                target.lastFetchedEpoch(), target.logStartOffset()));
            }
        }
        if (positions.isEmpty()) {
            return CompletableFuture.completedFuture(Collections.emptyMap());
        }
        return partitions.fetch(replicaId, replicaEpoch, request.maxWaitMs(), request.minBytes(),
                request.maxBytes(), IsolationLevel.forId(request.isolationLevel()), positions);
    }

    private LinkedHashMap<PartitionKey, CachedPartition> requested(FetchRequestData request, boolean byId) {
        LinkedHashMap<PartitionKey, CachedPartition> requested = new LinkedHashMap<>();
        for (FetchTopic topic : request.topics()) {
            String name = byId ? nameOf(topic.topicId()) : topic.topic();
            for (FetchPartition p : topic.partitions()) {
                PartitionKey key = byId ? PartitionKey.byId(topic.topicId(), p.partition())
                        : PartitionKey.byName(topic.topic(), p.partition());
                // Both default to -1 in versions that lack them (LastFetchedEpoch v12+, LogStartOffset v5+).
                requested.put(key, new CachedPartition(key, name, p.fetchOffset(), p.partitionMaxBytes(),
                        p.currentLeaderEpoch(), p.lastFetchedEpoch(), p.logStartOffset()));
            }
        }
        return requested;
    }

    private static List<PartitionKey> forgotten(FetchRequestData request, boolean byId) {
        List<PartitionKey> forgotten = new ArrayList<>();
        for (ForgottenTopic topic : request.forgottenTopicsData()) {
            for (int partition : topic.partitions()) {
                forgotten.add(byId ? PartitionKey.byId(topic.topicId(), partition)
                        : PartitionKey.byName(topic.topic(), partition));
            }
        }
        return forgotten;
    }

    private String nameOf(Uuid topicId) {
        return cluster.topic(topicId).map(TopicView::name).orElse(null);
    }

    private static PartitionData answer(int partition, FetchResult result, boolean hasRecords,
            boolean divergingEpochs) {
        PartitionData data = new PartitionData()
                .setPartitionIndex(partition)
                .setErrorCode(result.error().code())
                .setHighWatermark(result.highWatermark())
                .setLastStableOffset(result.lastStableOffset())
                .setLogStartOffset(result.logStartOffset())
                .setAbortedTransactions(null)
                .setPreferredReadReplica(-1)
                .setRecords(hasRecords ? new SliceRecords(result.records()) : MemoryRecords.EMPTY);
        // Fetch v12+ (KIP-320): where a follower's diverged log must be truncated.
        if (divergingEpochs && result.divergingEpoch().isPresent()) {
            data.setDivergingEpoch(new FetchResponseData.EpochEndOffset()
                    .setEpoch(result.divergingEpoch().get().epoch())
                    .setEndOffset(result.divergingEpoch().get().endOffset()));
        }
        return data;
    }

    /** Consecutive partitions of one topic share a topic entry, as in Kafka's responses. */
    private static FetchResponseData response(List<FetchPlan.Target> targets, List<PartitionData> answers,
            int sessionId) {
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(sessionId);
        FetchableTopicResponse current = null;
        for (int i = 0; i < targets.size(); i++) {
            PartitionData answer = answers.get(i);
            if (answer == null) {
                continue;
            }
            PartitionKey key = targets.get(i).cached().key;
            String name = key.topic() != null ? key.topic() : targets.get(i).topic();
            if (current == null || !current.topicId().equals(key.topicId())
                    || !Objects.equals(current.topic(), name)) {
                current = new FetchableTopicResponse().setTopic(name).setTopicId(key.topicId());
                response.responses().add(current);
            }
            current.partitions().add(answer);
        }
        return response;
    }
}
