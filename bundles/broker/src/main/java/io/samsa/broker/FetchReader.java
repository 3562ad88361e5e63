package io.samsa.broker;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.replication.FollowerFetchCheck;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;

/**
 * Reads one fetch request's partitions from their logs, within the request's and each
 * partition's byte limits. Like Kafka, only the first partition that has data may exceed the
 * limits (with its first batch), so that a consumer always makes progress.
 * <p>
 * Consumers read below the high watermark. A follower reads to the log end, once the partition's
 * leadership has checked its fetch (epoch, membership, where its log diverged), and the leadership
 * hears where the follower got to afterwards.
 */
final class FetchReader {

    private final PartitionLookup partitions;

    FetchReader(PartitionLookup partitions) {
        this.partitions = partitions;
    }

    /** The outcome of one pass over the request's partitions. */
    record Read(Map<TopicPartition, FetchResult> results, long bytes, boolean error) {
    }

    Read read(FetchRequest request) {
        Map<TopicPartition, FetchResult> results = new LinkedHashMap<>(request.partitions().size() * 2);
        long bytes = 0;
        boolean error = false;
        for (Map.Entry<TopicPartition, FetchPosition> e : request.partitions().entrySet()) {
            int limit = (int) Math.min(e.getValue().maxBytes(), Math.max(0, request.maxBytes() - bytes));
            FetchResult r = readPartition(e.getKey(), e.getValue(), request, limit, bytes == 0);
            results.put(e.getKey(), r);
            bytes += r.records().sizeInBytes();
            error |= r.error() != Errors.NONE;
        }
        return new Read(results, bytes, error);
    }

    private FetchResult readPartition(TopicPartition tp, FetchPosition position, FetchRequest request, int limit,
            boolean firstWithData) {
        Partition p = partitions.get(tp);
        if (p == null) {
            return FetchResult.error(partitions.missingError(tp));
        }
        if (!p.online()) {
            return FetchResult.error(Errors.KAFKA_STORAGE_ERROR);
        }
        // Epochs first, as Kafka does: a follower that knows a newer epoch learns it is ahead.
        int epoch = p.leaderEpoch();
        if (position.currentLeaderEpoch() >= 0 && position.currentLeaderEpoch() != epoch) {
            return FetchResult.error(position.currentLeaderEpoch() < epoch ? Errors.FENCED_LEADER_EPOCH
                    : Errors.UNKNOWN_LEADER_EPOCH);
        }
        LeaderReplica leader = p.leadership();
        if (leader == null) {
            return FetchResult.error(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        PartitionLog log = p.log();
        long offset = position.fetchOffset();
        boolean follower = request.replicaId() >= 0;
        if (follower) {
            FollowerFetchCheck check = leader.checkFollowerFetch(request.replicaId(), request.replicaEpoch(), offset,
                    position.lastFetchedEpoch());
            if (check.error() != Errors.NONE) {
                long hw = p.highWatermark();
                return check.error() == Errors.OFFSET_OUT_OF_RANGE
                        ? new FetchResult(Errors.OFFSET_OUT_OF_RANGE, hw, hw, log.logStartOffset(), LogSlice.EMPTY)
                        : FetchResult.error(check.error());
            }
            if (check.divergingEpoch().isPresent()) {
                long hw = p.highWatermark();
                return new FetchResult(Errors.NONE, hw, hw, log.logStartOffset(), LogSlice.EMPTY,
                        check.divergingEpoch());
            }
        }
        long logStart = log.logStartOffset();
        long logEnd = log.logEndOffset();
        if (offset < logStart || offset > logEnd) {
            long hw = p.highWatermark();
            return new FetchResult(Errors.OFFSET_OUT_OF_RANGE, hw, hw, logStart, LogSlice.EMPTY);
        }
        long maxOffset = follower ? logEnd : p.highWatermark();
        LogSlice slice = LogSlice.EMPTY;
        if (offset < maxOffset && (limit > 0 || firstWithData)) {
            try {
                slice = log.read(offset, Math.max(limit, 1), maxOffset);
                if (!firstWithData && slice.sizeInBytes() > limit) {
                    slice = LogSlice.EMPTY;
                }
            } catch (OffsetOutOfRangeException e) {
                long hw = p.highWatermark();
                return new FetchResult(Errors.OFFSET_OUT_OF_RANGE, hw, hw, log.logStartOffset(), LogSlice.EMPTY);
            } catch (IOException | RuntimeException e) {
                // A disk failure takes the log dir offline; a log closed under us (storage engine swap,
                // deletion) does not. Either way the client retries.
                return FetchResult.error(p.readFailed(log, "read", e));
            }
        }
        if (follower) {
            // Only a read that succeeded proves the follower holds everything below its offset.
            leader.followerFetched(request.replicaId(), request.replicaEpoch(), offset, logEnd,
                    System.currentTimeMillis());
        }
        // Read after the follower's news, which may have moved it: the follower learns it sooner.
        long hw = p.highWatermark();
        return new FetchResult(Errors.NONE, hw, hw, log.logStartOffset(), slice);
    }

    /**
     * What a fetch asked for.
     *
     * @param replicaId    -1 for a consumer, else the fetching follower's broker id
     * @param replicaEpoch the follower's broker epoch, -1 when its request carried none
     */
    record FetchRequest(int replicaId, long replicaEpoch, long maxWaitMs, int minBytes, int maxBytes,
            IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions) {

        boolean fromFollower() {
            return replicaId >= 0;
        }
    }

    /** Finds local partitions, and says why one is missing. */
    interface PartitionLookup {
        Partition get(TopicPartition tp);

        /** UNKNOWN_TOPIC_OR_PARTITION, or NOT_LEADER_OR_FOLLOWER when the partition exists elsewhere. */
        Errors missingError(TopicPartition tp);
    }
}
