package io.samsa.api.broker;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.osgi.annotation.versioning.ProviderType;

/** Produce, fetch and offset look-ups on the partitions this broker leads. */
@ProviderType
public interface PartitionService {

    /**
     * Validates and appends record batches to partitions.
     * <p>
     * Each buffer holds the v2 record batches a client sent for one partition; they are checked
     * (magic, CRC, size, idempotent producer sequence) and stored as they are, with offsets
     * assigned by rewriting each batch header. The buffers may be modified in place and must not
     * be reused by the caller until the future completes.
     *
     * @param requiredAcks 0, 1 or -1 (all in-sync replicas)
     * @param timeoutMs    how long to wait for in-sync replicas when {@code requiredAcks} is -1
     * @param internal     true for the broker's own writes, which may go to internal topics
     * @return a result per partition, completed when the acks are satisfied
     */
    CompletableFuture<Map<TopicPartition, ProduceResult>> append(Map<TopicPartition, ByteBuffer> records,
            short requiredAcks, int timeoutMs, boolean internal);

    /**
     * Validates and appends record batches as {@link #append(Map, short, int, boolean)} does, each
     * batch checked once, here, with the rules for {@code origin}: for a client's produce request
     * also Kafka's per-version ones ({@code ProduceRequest.validateRecords}: exactly one v2 batch
     * per partition, zstd only from version 7) and no transactional or control batches.
     * A front end passes its requests' batches unchecked.
     *
     * @since 1.2
     */
    default CompletableFuture<Map<TopicPartition, ProduceResult>> append(Map<TopicPartition, ByteBuffer> records,
            short requiredAcks, int timeoutMs, AppendOrigin origin) {
        return append(records, requiredAcks, timeoutMs, origin.internal());
    }

    /**
     * Reads from partitions, waiting up to {@code maxWaitMs} until {@code minBytes} are available
     * (a long poll). The slices in the result stay readable until sent.
     *
     * @param replicaId -1 for a consumer; a broker id for a follower
     * @param maxBytes  the response size limit (the first batch is always returned whole)
     */
    CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs, int minBytes,
            int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions);

    /**
     * Reads as {@link #fetch(int, long, int, int, IsolationLevel, Map)} does, for a follower
     * whose request carried its broker epoch ({@code ReplicaState.ReplicaEpoch}, Fetch v15+): a
     * fetch from an older registration of that broker is refused, and a newer one resets what the
     * leader knew of the follower (KIP-903).
     *
     * @param replicaEpoch the follower's broker epoch, -1 when unknown
     * @since 1.3
     */
    default CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long replicaEpoch,
            long maxWaitMs, int minBytes, int maxBytes, IsolationLevel isolation,
            Map<TopicPartition, FetchPosition> partitions) {
        return fetch(replicaId, maxWaitMs, minBytes, maxBytes, isolation, partitions);
    }

    /**
     * The ListOffsets look-up. {@code timestamp} is a record timestamp or one of
     * {@code -1} (latest), {@code -2} (earliest), {@code -3} (max timestamp),
     * {@code -4} (earliest local), {@code -5} (latest tiered).
     */
    OffsetLookup listOffset(TopicPartition partition, long timestamp, IsolationLevel isolation);

    /** DeleteRecords: advance the log start offset; {@code offset} -1 means the high watermark. */
    OffsetLookup deleteRecords(TopicPartition partition, long offset);

    /**
     * OffsetForLeaderEpoch (KIP-101, KIP-320): where {@code leaderEpoch} ends in the leader's log,
     * so that a consumer or follower can tell whether its position survived a leader change.
     *
     * @param currentLeaderEpoch the epoch the caller believes current, -1 not to check it:
     *                           FENCED_LEADER_EPOCH when older than the leader's, UNKNOWN_LEADER_EPOCH when newer
     * @since 1.1
     */
    EpochLookup offsetForLeaderEpoch(TopicPartition partition, int currentLeaderEpoch, int leaderEpoch);

    /**
     * DescribeLogDirs: every directory of {@code log.dirs} in order, whether it is online, and
     * the partition logs open in it with their sizes.
     *
     * @since 1.1
     */
    List<LogDirDescription> describeLogDirs();
}
