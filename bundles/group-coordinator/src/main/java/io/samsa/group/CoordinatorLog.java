package io.samsa.group;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;

import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;

/**
 * Writes group records to {@code __consumer_offsets}: one uncompressed v2 batch per call,
 * appended with acks=all. Callers append while holding the group's lock so that the log keeps
 * the order in which the coordinator decided; completions run on {@code callbacks}, never
 * inside the append call.
 */
final class CoordinatorLog {
    static final String TOPIC = "__consumer_offsets";

    /** One record; a null value is a tombstone. */
    record Entry(byte[] key, byte[] value) {
    }

    private final PartitionService partitions;
    private final int timeoutMs;
    private final Executor callbacks;

    CoordinatorLog(PartitionService partitions, int timeoutMs, Executor callbacks) {
        this.partitions = partitions;
        this.timeoutMs = timeoutMs;
        this.callbacks = callbacks;
    }

    CompletableFuture<ProduceResult> append(int partition, List<Entry> entries, long timestamp) {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        CompletableFuture<Map<TopicPartition, ProduceResult>> appended;
        try {
            appended = partitions.append(Map.of(tp, batch(entries, timestamp)), (short) -1, timeoutMs, true);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        return appended.handleAsync((results, failure) -> {
            if (failure != null) {
                return ProduceResult.error(Errors.forException(failure), failure.getMessage());
            }
            ProduceResult r = results.get(tp);
            return r != null ? r : ProduceResult.error(Errors.UNKNOWN_SERVER_ERROR, "no result for " + tp);
        }, callbacks);
    }

    static ByteBuffer batch(List<Entry> entries, long timestamp) {
        int estimate = 128;
        for (Entry e : entries) {
            estimate += e.key.length + (e.value == null ? 0 : e.value.length) + 24;
        }
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(estimate), Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        for (Entry e : entries) {
            builder.append(timestamp, e.key, e.value);
        }
        return builder.build().buffer();
    }

    /** How Kafka reports a failed offset commit write to the client. */
    static Errors commitError(Errors appendError) {
        switch (appendError) {
            case NONE:
                return Errors.NONE;
            case UNKNOWN_TOPIC_OR_PARTITION:
            case NOT_ENOUGH_REPLICAS:
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
            case REQUEST_TIMED_OUT:
                return Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER:
            case KAFKA_STORAGE_ERROR:
                return Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE:
            case RECORD_LIST_TOO_LARGE:
            case INVALID_FETCH_SIZE:
                return Errors.INVALID_COMMIT_OFFSET_SIZE;
            default:
                return appendError;
        }
    }

    /** How Kafka reports a failed group metadata write (SyncGroup, DeleteGroups) to the client. */
    static Errors groupError(Errors appendError) {
        switch (appendError) {
            case NONE:
                return Errors.NONE;
            case UNKNOWN_TOPIC_OR_PARTITION:
            case NOT_ENOUGH_REPLICAS:
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
                return Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER:
            case KAFKA_STORAGE_ERROR:
                return Errors.NOT_COORDINATOR;
            case REQUEST_TIMED_OUT:
                return Errors.REBALANCE_IN_PROGRESS;
            case MESSAGE_TOO_LARGE:
            case RECORD_LIST_TOO_LARGE:
            case INVALID_FETCH_SIZE:
                return Errors.UNKNOWN_SERVER_ERROR;
            default:
                return appendError;
        }
    }
}
