package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.AppendOrigin;
import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.LogDirDescription;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.broker.TopicView;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.api.storage.TimestampOffset;
import io.samsa.broker.BatchValidator.ValidatedBatches;
import io.samsa.broker.FetchReader.FetchRequest;

/**
 * Produce, fetch, ListOffsets and DeleteRecords on the partitions this broker leads. Whether a
 * partition may take a write, and when it is committed, its leadership decides (see
 * {@link LeaderReplica}); the logs are kept here.
 */
final class LocalPartitionService implements PartitionService, FetchReader.PartitionLookup {

    static final long LATEST = -1;
    static final long EARLIEST = -2;
    static final long MAX_TIMESTAMP = -3;
    static final long EARLIEST_LOCAL = -4;
    static final long LATEST_TIERED = -5;

    private final PartitionRegistry registry;
    private final MetadataCache metadata;
    private final DelayedFetchQueue delayedFetches;
    private final BrokerTopicStats stats;

    LocalPartitionService(PartitionRegistry registry, MetadataCache metadata, ScheduledExecutorService timer,
            BrokerTopicStats stats) {
        this.registry = registry;
        this.metadata = metadata;
        this.stats = stats;
        this.delayedFetches = new DelayedFetchQueue(new FetchReader(this), timer);
    }

    DelayedFetchQueue delayedFetches() {
        return delayedFetches;
    }

    @Override
    public CompletableFuture<Map<TopicPartition, ProduceResult>> append(Map<TopicPartition, ByteBuffer> records,
            short requiredAcks, int timeoutMs, boolean internal) {
        return append(records, requiredAcks, timeoutMs,
                internal ? AppendOrigin.BROKER : AppendOrigin.client(ApiKeys.PRODUCE.latestVersion()));
    }

    /**
     * Appends to each partition as its leadership allows: acks=0 and 1 are answered after the
     * local append, acks=-1 once the leadership says the write is committed (or why it is not).
     * Nothing blocks; the future completes on whichever thread commits the last write.
     */
    @Override
    public CompletableFuture<Map<TopicPartition, ProduceResult>> append(Map<TopicPartition, ByteBuffer> records,
            short requiredAcks, int timeoutMs, AppendOrigin origin) {
        Map<TopicPartition, ProduceResult> results = new LinkedHashMap<>(records.size() * 2);
        List<CompletableFuture<ProduceResult>> waits = null;
        List<TopicPartition> waitingPartitions = null;
        long now = System.currentTimeMillis();
        for (Map.Entry<TopicPartition, ByteBuffer> e : records.entrySet()) {
            TopicPartition tp = e.getKey();
            Partition p = registry.get(tp);
            LeaderReplica leader = p == null ? null : p.leadership();
            ByteBuffer buffer = e.getValue();
            int bytes = buffer.remaining();
            Partition.Appended appended = appendTo(tp, p, leader, buffer, requiredAcks, origin, now);
            results.put(tp, appended.result());
            boolean failed = appended.result().error() != Errors.NONE;
            stats.produced(p == null ? null : stats.topic(tp.topic()), bytes, failed ? 0 : recordCount(buffer),
                    failed);
            if (requiredAcks != -1 || appended.requiredHighWatermark() < 0) {
                continue;
            }
            CompletableFuture<ProduceResult> commit = committed(tp, appended.result(),
                    leader.awaitCommit(appended.requiredHighWatermark(), timeoutMs));
            if (commit.isDone()) {
                results.put(tp, commit.join());
                continue;
            }
            if (waits == null) {
                waits = new ArrayList<>();
                waitingPartitions = new ArrayList<>();
            }
            waits.add(commit);
            waitingPartitions.add(tp);
        }
        if (waits == null) {
            return CompletableFuture.completedFuture(results);
        }
        List<CompletableFuture<ProduceResult>> pending = waits;
        List<TopicPartition> pendingPartitions = waitingPartitions;
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (int i = 0; i < pending.size(); i++) {
                results.put(pendingPartitions.get(i), pending.get(i).join());
            }
            return results;
        });
    }

    /** The records in a validated request's batches, read from their headers. */
    private static long recordCount(ByteBuffer buffer) {
        long records = 0;
        for (int pos = buffer.position(); pos + RecordBatchLayout.HEADER_SIZE <= buffer.limit();
                pos += RecordBatchLayout.sizeInBytes(buffer, pos)) {
            records += RecordBatchLayout.recordsCount(buffer, pos);
        }
        return records;
    }

    /** The produce result once the leadership decided on the write's commit. */
    private CompletableFuture<ProduceResult> committed(TopicPartition tp, ProduceResult appended,
            CompletionStage<Errors> commit) {
        return commit.toCompletableFuture().handle((error, failure) -> {
            if (failure != null) {
                return ProduceResult.error(Errors.UNKNOWN_SERVER_ERROR, "Waiting for the replicas of " + tp
                        + " failed: " + failure);
            }
            if (error == Errors.NONE) {
                return appended;
            }
            if (registry.inOfflineLogDir(tp)) {
                // The leadership ended because the disk failed; say so rather than send the producer elsewhere.
                return ProduceResult.error(Errors.KAFKA_STORAGE_ERROR, "The log dir of " + tp
                        + " went offline before the write was replicated: " + registry.offlineReason(tp));
            }
            return ProduceResult.error(error, commitMessage(tp, error));
        });
    }

    private static String commitMessage(TopicPartition tp, Errors error) {
        return switch (error) {
            case REQUEST_TIMED_OUT -> "Not all in-sync replicas of " + tp + " acknowledged the write in time";
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND -> "The write to " + tp
                    + " was appended, but too few replicas stayed in sync to commit it";
            case NOT_LEADER_OR_FOLLOWER -> "This broker stopped leading " + tp + " before the write was committed";
            default -> error.message();
        };
    }

    private Partition.Appended appendTo(TopicPartition tp, Partition p, LeaderReplica leader, ByteBuffer buffer,
            short requiredAcks, AppendOrigin origin, long now) {
        if (p == null) {
            Errors error = missingError(tp);
            String message = switch (error) {
                case UNKNOWN_TOPIC_OR_PARTITION -> "This server does not host " + tp;
                case KAFKA_STORAGE_ERROR -> "The replica of " + tp + " on this broker is offline: "
                        + registry.offlineReason(tp);
                default -> "This broker is not the leader of " + tp;
            };
            return new Partition.Appended(ProduceResult.error(error, message), -1);
        }
        if (TopicMetadata.isInternal(tp.topic()) && !origin.internal()) {
            return new Partition.Appended(ProduceResult.error(Errors.INVALID_TOPIC_EXCEPTION,
                    "Cannot append to internal topic " + tp.topic()), -1);
        }
        if (leader == null) {
            return new Partition.Appended(ProduceResult.error(Errors.NOT_LEADER_OR_FOLLOWER,
                    "This broker is not the leader of " + tp), -1);
        }
        Errors refused = leader.checkAppend(requiredAcks);
        if (refused != Errors.NONE) {
            return new Partition.Appended(ProduceResult.error(refused, refused == Errors.NOT_ENOUGH_REPLICAS
                    ? "Fewer in-sync replicas of " + tp + " than min.insync.replicas; nothing was appended"
                    : "This broker is not the leader of " + tp), -1);
        }
        ValidatedBatches batches = BatchValidator.validate(buffer, p.config().maxMessageBytes(), origin);
        if (!batches.ok()) {
            return new Partition.Appended(ProduceResult.error(batches.error(), batches.message()), -1);
        }
        return p.append(buffer, batches, now, leader);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs, int minBytes,
            int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions) {
        return fetch(replicaId, -1, maxWaitMs, minBytes, maxBytes, isolation, partitions);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long replicaEpoch,
            long maxWaitMs, int minBytes, int maxBytes, IsolationLevel isolation,
            Map<TopicPartition, FetchPosition> partitions) {
        CompletableFuture<Map<TopicPartition, FetchResult>> read = delayedFetches.fetch(new FetchRequest(replicaId,
                replicaEpoch, maxWaitMs, minBytes, maxBytes, isolation, partitions), this);
        boolean follower = replicaId >= 0;
        if (read.isDone() && !read.isCompletedExceptionally()) {
            countFetch(read.join(), follower);
            return read;
        }
        return read.whenComplete((results, failure) -> {
            if (results != null) {
                countFetch(results, follower);
            }
        });
    }

    /** Counted once per fetch, with what it answered, as Kafka counts a fetch's partitions. */
    private void countFetch(Map<TopicPartition, FetchResult> results, boolean follower) {
        for (Map.Entry<TopicPartition, FetchResult> e : results.entrySet()) {
            FetchResult r = e.getValue();
            boolean hosted = registry.get(e.getKey()) != null;
            stats.fetched(hosted ? stats.topic(e.getKey().topic()) : null, r.records().sizeInBytes(),
                    r.error() != Errors.NONE, follower);
        }
    }

    @Override
    public OffsetLookup listOffset(TopicPartition tp, long timestamp, IsolationLevel isolation) {
        Partition p = registry.get(tp);
        Errors error = leaderError(tp, p);
        if (error != Errors.NONE) {
            return OffsetLookup.error(error);
        }
        PartitionLog log = p.log();
        int epoch = p.leaderEpoch();
        try {
            if (timestamp == LATEST) {
                return new OffsetLookup(Errors.NONE, -1, p.highWatermark(), epoch);
            }
            if (timestamp == EARLIEST || timestamp == EARLIEST_LOCAL) {
                return new OffsetLookup(Errors.NONE, -1, log.logStartOffset(), epoch);
            }
            if (timestamp == LATEST_TIERED) {
                return new OffsetLookup(Errors.NONE, -1, -1, -1);
            }
            if (timestamp < 0 && timestamp != MAX_TIMESTAMP) {
                return OffsetLookup.error(Errors.INVALID_REQUEST);
            }
            TimestampOffset found = timestamp == MAX_TIMESTAMP ? log.maxTimestamp() : log.offsetForTimestamp(timestamp);
            if (found == null || found.offset() >= p.highWatermark()) {
                return new OffsetLookup(Errors.NONE, -1, -1, -1);
            }
            return new OffsetLookup(Errors.NONE, found.timestamp(), found.offset(), found.leaderEpoch());
        } catch (IOException | RuntimeException e) {
            return OffsetLookup.error(p.readFailed(log, "ListOffsets", e));
        }
    }

    @Override
    public OffsetLookup deleteRecords(TopicPartition tp, long offset) {
        Partition p = registry.get(tp);
        Errors error = leaderError(tp, p);
        if (error != Errors.NONE) {
            return OffsetLookup.error(error);
        }
        if (TopicMetadata.isInternal(tp.topic())) {
            return OffsetLookup.error(Errors.INVALID_TOPIC_EXCEPTION);
        }
        long hw = p.highWatermark();
        long target = offset == -1 ? hw : offset;
        if (target < 0 || target > hw) {
            return OffsetLookup.error(Errors.OFFSET_OUT_OF_RANGE);
        }
        try {
            return new OffsetLookup(Errors.NONE, -1, p.deleteRecordsBefore(target), p.leaderEpoch());
        } catch (IOException | RuntimeException e) {
            return OffsetLookup.error(Errors.KAFKA_STORAGE_ERROR);
        }
    }

    @Override
    public EpochLookup offsetForLeaderEpoch(TopicPartition tp, int currentLeaderEpoch, int leaderEpoch) {
        Partition p = registry.get(tp);
        if (p == null || !p.online()) {
            return EpochLookup.error(leaderError(tp, p));
        }
        // The epoch first, as for Fetch: a follower knows the epoch it follows, and tells a caller
        // that is behind or ahead of it so.
        int current = p.leaderEpoch();
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != current) {
            return EpochLookup.error(currentLeaderEpoch < current ? Errors.FENCED_LEADER_EPOCH
                    : Errors.UNKNOWN_LEADER_EPOCH);
        }
        if (!p.leader()) {
            return EpochLookup.error(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (leaderEpoch == current) {
            // Epochs enter the log with their first batch; the current one ends at the log end
            // even before it has any.
            return new EpochLookup(Errors.NONE, current, p.log().logEndOffset());
        }
        EpochEndOffset end = p.log().endOffsetForEpoch(leaderEpoch); // the in-memory epoch cache, no I/O
        return new EpochLookup(Errors.NONE, end.epoch(), end.endOffset());
    }

    @Override
    public List<LogDirDescription> describeLogDirs() {
        return registry.describeLogDirs();
    }

    private Errors leaderError(TopicPartition tp, Partition p) {
        if (p == null) {
            return missingError(tp);
        }
        if (!p.online()) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        return p.leader() ? Errors.NONE : Errors.NOT_LEADER_OR_FOLLOWER;
    }

    @Override
    public Partition get(TopicPartition tp) {
        return registry.get(tp);
    }

    @Override
    public Errors missingError(TopicPartition tp) {
        if (registry.isOffline(tp)) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        Optional<TopicView> topic = metadata.topic(tp.topic());
        boolean exists = topic.isPresent() && tp.partition() >= 0 && tp.partition() < topic.get().partitions().size();
        return exists ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
}
