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
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;

/**
 * Reads one fetch request's partitions from their logs, within the request's and each
 * partition's byte limits. Like Kafka, only the first partition that has data may exceed the
 * limits (with its first batch), so that a consumer always makes progress.
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
        if (!p.leader()) {
            return FetchResult.error(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        int epoch = p.leaderEpoch();
        if (position.currentLeaderEpoch() >= 0 && position.currentLeaderEpoch() != epoch) {
            return FetchResult.error(position.currentLeaderEpoch() < epoch ? Errors.FENCED_LEADER_EPOCH
                    : Errors.UNKNOWN_LEADER_EPOCH);
        }
        PartitionLog log = p.log();
        long offset = position.fetchOffset();
        if (request.replicaId() >= 0) {
            p.followerFetched(request.replicaId(), offset);
        }
        long hw = p.highWatermark();
        long logStart = log.logStartOffset();
        long logEnd = log.logEndOffset();
        if (offset < logStart || offset > logEnd) {
            return new FetchResult(Errors.OFFSET_OUT_OF_RANGE, hw, hw, logStart, LogSlice.EMPTY);
        }
        long maxOffset = request.replicaId() >= 0 ? logEnd : hw;
        if (offset >= maxOffset || limit <= 0 && !firstWithData) {
            return new FetchResult(Errors.NONE, hw, hw, logStart, LogSlice.EMPTY);
        }
        try {
            LogSlice slice = log.read(offset, Math.max(limit, 1), maxOffset);
            if (!firstWithData && slice.sizeInBytes() > limit) {
                slice = LogSlice.EMPTY;
            }
            return new FetchResult(Errors.NONE, hw, hw, log.logStartOffset(), slice);
        } catch (OffsetOutOfRangeException e) {
            return new FetchResult(Errors.OFFSET_OUT_OF_RANGE, hw, hw, log.logStartOffset(), LogSlice.EMPTY);
        } catch (IOException | RuntimeException e) {
            // A disk failure takes the log dir offline; a log closed under us (storage engine swap,
            // deletion) does not. Either way the client retries.
            return FetchResult.error(p.readFailed(log, "read", e));
        }
    }

    /** What a fetch asked for. */
    record FetchRequest(int replicaId, long maxWaitMs, int minBytes, int maxBytes, IsolationLevel isolation,
            Map<TopicPartition, FetchPosition> partitions) {
    }

    /** Finds local partitions, and says why one is missing. */
    interface PartitionLookup {
        Partition get(TopicPartition tp);

        /** UNKNOWN_TOPIC_OR_PARTITION, or NOT_LEADER_OR_FOLLOWER when the partition exists elsewhere. */
        Errors missingError(TopicPartition tp);
    }
}
