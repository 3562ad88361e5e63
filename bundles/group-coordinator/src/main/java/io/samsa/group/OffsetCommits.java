package io.samsa.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.Caller;
import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.broker.TopicView;

/**
 * OffsetCommit: validates the committer against the group, writes the offsets to
 * {@code __consumer_offsets} and acknowledges them once the write is replicated.
 */
final class OffsetCommits {
    /** OffsetCommit's default retention time: offsets then follow the group's life (Kafka 2.1+). */
    private static final long DEFAULT_RETENTION = -1L;

    /** One partition of the request with its outcome so far. */
    private static final class Item {
        final OffsetCommitResponseData.OffsetCommitResponsePartition response;
        final TopicPartition tp;
        final OffsetCommitRequestData.OffsetCommitRequestPartition request;
        CommittedOffset offset;

        Item(OffsetCommitResponseData.OffsetCommitResponsePartition response, TopicPartition tp,
                OffsetCommitRequestData.OffsetCommitRequestPartition request) {
            this.response = response;
            this.tp = tp;
            this.request = request;
        }
    }

    private final GroupConfig config;
    private final Groups groups;
    private final OffsetsTopic offsetsTopic;
    private final Rebalancer rebalancer;
    private final CoordinatorLog log;
    private final ClusterView cluster;

    OffsetCommits(GroupConfig config, Groups groups, OffsetsTopic offsetsTopic, Rebalancer rebalancer,
            CoordinatorLog log, ClusterView cluster) {
        this.config = config;
        this.groups = groups;
        this.offsetsTopic = offsetsTopic;
        this.rebalancer = rebalancer;
        this.log = log;
        this.cluster = cluster;
    }

    CompletableFuture<OffsetCommitResponseData> commit(Caller caller, OffsetCommitRequestData request) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        List<Item> items = new ArrayList<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                    .setName(t.name());
            response.topics().add(rt);
            Errors topicError = Errors.NONE;
            String name = t.name();
            boolean byId = (name == null || name.isEmpty()) && t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId());
            if (byId) {
                rt.setTopicId(t.topicId());
                TopicView view = cluster.topic(t.topicId()).orElse(null);
                name = view == null ? null : view.name();
                topicError = view == null ? Errors.UNKNOWN_TOPIC_ID : Errors.NONE;
            } else if (cluster.topic(name).isEmpty()) {
                topicError = Errors.UNKNOWN_TOPIC_OR_PARTITION;
            }
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponseData.OffsetCommitResponsePartition rp = new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(topicError.code());
                rt.partitions().add(rp);
                if (topicError == Errors.NONE) {
                    items.add(new Item(rp, new TopicPartition(name, p.partitionIndex()), p));
                }
            }
        }
        String groupId = request.groupId();
        Errors status = groupId == null ? Errors.INVALID_GROUP_ID
                : offsetsTopic.check(offsetsTopic.partitionFor(groupId));
        if (status != Errors.NONE) {
            return CompletableFuture.completedFuture(failAll(response, status));
        }
        return commitToGroup(request, response, items);
    }

    private CompletableFuture<OffsetCommitResponseData> commitToGroup(OffsetCommitRequestData request,
            OffsetCommitResponseData response, List<Item> items) {
        String groupId = request.groupId();
        int generation = request.generationIdOrMemberEpoch();
        ClassicGroup g;
        while (true) {
            g = groups.get(groupId);
            if (g == null) {
                if (generation >= 0) {
                    // Not a group this coordinator knows: a commit from an older generation.
                    return CompletableFuture.completedFuture(failAll(response, Errors.ILLEGAL_GENERATION));
                }
                g = groups.getOrCreate(groupId, offsetsTopic.partitionFor(groupId), Rebalancer.now());
            }
            g.lock();
            if (!g.is(GroupState.DEAD)) {
                break;
            }
            g.unlock();
        }
        try {
            Errors error = validate(g, request.memberId(), request.groupInstanceId(), generation);
            if (error != Errors.NONE) {
                return CompletableFuture.completedFuture(failAll(response, error));
            }
            GroupMember m = g.get(request.memberId());
            if (m != null && (g.is(GroupState.STABLE) || g.is(GroupState.PREPARING_REBALANCE))) {
                rebalancer.scheduleHeartbeat(g, m, m.sessionTimeoutMs());
            }
            return write(g, request, response, items);
        } finally {
            g.unlock();
        }
    }

    /** Kafka's rules for who may commit to a classic group. */
    private static Errors validate(ClassicGroup g, String memberId, String groupInstanceId, int generation) {
        if (generation < 0 && g.is(GroupState.EMPTY)) {
            // Admin clients and consumers without group management commit to empty groups.
            return Errors.NONE;
        }
        if (generation >= 0 || (memberId != null && !memberId.isEmpty()) || groupInstanceId != null) {
            Errors error = JoinGroupHandler.validateMember(g, memberId, groupInstanceId);
            if (error != Errors.NONE) {
                return error;
            }
            if (generation != g.generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!g.is(GroupState.EMPTY)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (g.is(GroupState.COMPLETING_REBALANCE)) {
            // The member knows the new generation but has no assignment yet.
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    private CompletableFuture<OffsetCommitResponseData> write(ClassicGroup g, OffsetCommitRequestData request,
            OffsetCommitResponseData response, List<Item> items) {
        long now = Rebalancer.now();
        long retention = request.retentionTimeMs();
        List<CoordinatorLog.Entry> entries = new ArrayList<>(items.size());
        List<Item> written = new ArrayList<>(items.size());
        for (Item item : items) {
            String metadata = item.request.committedMetadata() == null ? "" : item.request.committedMetadata();
            if (metadata.length() > config.offsetMetadataMaxBytes()) {
                item.response.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                continue;
            }
            item.offset = new CommittedOffset(item.request.committedOffset(), item.request.committedLeaderEpoch(),
                    metadata, now, retention == DEFAULT_RETENTION ? -1L : now + retention, -1L);
            entries.add(new CoordinatorLog.Entry(CoordinatorRecords.offsetKey(g.groupId(), item.tp),
                    CoordinatorRecords.offsetValue(item.offset)));
            written.add(item);
        }
        if (entries.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        g.commitStarted();
        return log.append(g.partition(), entries, now).thenApply(result -> {
            applyCommitted(g, written, result);
            return response;
        });
    }

    private static void applyCommitted(ClassicGroup g, List<Item> written, ProduceResult result) {
        Errors error = CoordinatorLog.commitError(result.error());
        g.lock();
        try {
            g.commitWritten();
            if (error != Errors.NONE) {
                for (Item item : written) {
                    item.response.setErrorCode(error.code());
                }
                return;
            }
            for (int i = 0; i < written.size(); i++) {
                Item item = written.get(i);
                CommittedOffset committed = item.offset.withLogOffset(result.baseOffset() + i);
                // Concurrent commits complete in any order; the one written later to the log wins.
                g.putOffset(item.tp, committed);
            }
        } finally {
            g.unlock();
        }
    }

    private static OffsetCommitResponseData failAll(OffsetCommitResponseData response, Errors error) {
        for (OffsetCommitResponseData.OffsetCommitResponseTopic t : response.topics()) {
            for (OffsetCommitResponseData.OffsetCommitResponsePartition p : t.partitions()) {
                if (p.errorCode() == Errors.NONE.code()) {
                    p.setErrorCode(error.code());
                }
            }
        }
        return response;
    }
}
