package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.TimestampOffset;
import io.samsa.broker.BatchValidator.ValidatedBatches;
import io.samsa.broker.FetchReader.FetchRequest;

/** Produce, fetch, ListOffsets and DeleteRecords on the partitions this broker leads. */
final class LocalPartitionService implements PartitionService, FetchReader.PartitionLookup {

    static final long LATEST = -1;
    static final long EARLIEST = -2;
    static final long MAX_TIMESTAMP = -3;
    static final long EARLIEST_LOCAL = -4;
    static final long LATEST_TIERED = -5;

    private final PartitionRegistry registry;
    private final MetadataCache metadata;
    private final DelayedFetchQueue delayedFetches;
    private final ScheduledExecutorService timer;

    LocalPartitionService(PartitionRegistry registry, MetadataCache metadata, ScheduledExecutorService timer) {
        this.registry = registry;
        this.metadata = metadata;
        this.timer = timer;
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
            Partition.Appended appended = appendTo(tp, p, e.getValue(), origin, now);
            results.put(tp, appended.result());
            if (appended.requiredHighWatermark() < 0) {
                continue;
            }
            delayedFetches.appended(tp);
            if (requiredAcks == -1 && p.highWatermark() < appended.requiredHighWatermark()) {
                if (waits == null) {
                    waits = new ArrayList<>();
                    waitingPartitions = new ArrayList<>();
                }
                waits.add(p.awaitHighWatermark(appended.requiredHighWatermark(), appended.result(), timeoutMs, timer));
                waitingPartitions.add(tp);
            }
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

    private Partition.Appended appendTo(TopicPartition tp, Partition p, ByteBuffer buffer, AppendOrigin origin,
            long now) {
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
        if (!p.leader()) {
            return new Partition.Appended(ProduceResult.error(Errors.NOT_LEADER_OR_FOLLOWER,
                    "This broker is not the leader of " + tp), -1);
        }
        ValidatedBatches batches = BatchValidator.validate(buffer, p.config().maxMessageBytes(), origin);
        if (!batches.ok()) {
            return new Partition.Appended(ProduceResult.error(batches.error(), batches.message()), -1);
        }
        return p.append(buffer, batches, now);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs, int minBytes,
            int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions) {
        return delayedFetches.fetch(new FetchRequest(replicaId, maxWaitMs, minBytes, maxBytes, isolation, partitions),
                this);
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
        Errors error = leaderError(tp, p);
        if (error != Errors.NONE) {
            return EpochLookup.error(error);
        }
        int current = p.leaderEpoch();
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != current) {
            return EpochLookup.error(currentLeaderEpoch < current ? Errors.FENCED_LEADER_EPOCH
                    : Errors.UNKNOWN_LEADER_EPOCH);
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
