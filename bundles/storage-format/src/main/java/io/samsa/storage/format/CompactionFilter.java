package io.samsa.storage.format;

import java.util.Map;
import java.util.OptionalLong;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What compaction keeps of one group of segments, as the filter of kafka-clients'
 * {@link MemoryRecords#filterTo}, which then copies kept batches as they are or rebuilds them
 * (same codec, base and last offset, producer id, epoch and sequence) without the dropped records.
 * <ul>
 * <li>A keyed record goes when the offset map holds a later offset for its key.</li>
 * <li>A tombstone (null value) stays until its batch's delete horizon: the first cleaning that
 * keeps it stamps the horizon {@code now + delete.retention.ms} into the batch (Kafka's KIP-534
 * rule, done by {@code filterTo}), and a cleaning at or after that time drops it. So a tombstone
 * lives delete.retention.ms after it was first cleaned, as in Kafka, not after its record
 * timestamp.</li>
 * <li>Records without a key (Kafka's broker refuses them for compacted topics, but a log may
 * have been written under another policy) and control batches are kept.</li>
 * <li>A batch left with no record still keeps its header (an empty batch) when it is the last
 * batch of its producer in the cleaned range, so idempotent producer state survives, or the last
 * batch of the group, so the compacted segment ends at the same offset as the segments it
 * replaces and recovery knows which old segments a swap covers.</li>
 * </ul>
 */
final class CompactionFilter extends MemoryRecords.RecordFilter {

    private static final BatchRetentionResult KEEP_EMPTY = new BatchRetentionResult(BatchRetention.RETAIN_EMPTY, false);
    private static final BatchRetentionResult DROP_EMPTY = new BatchRetentionResult(BatchRetention.DELETE_EMPTY, false);

    private final OffsetMap latest;
    private final Map<Long, Long> lastBatchOfProducer;
    private final long groupLastOffset;
    private boolean dropsOrStamps;
    private long tombstonesDueMs = Long.MAX_VALUE;

    /**
     * @param groupLastOffset     the last offset of the group's last segment
     * @param lastBatchOfProducer per producer id, the last offset of its last batch in the cleaned range
     */
    CompactionFilter(long nowMs, long deleteRetentionMs, OffsetMap latest, Map<Long, Long> lastBatchOfProducer,
            long groupLastOffset) {
        // filterTo adds the two for the horizon: keep the sum from overflowing
        super(nowMs, Math.min(deleteRetentionMs, Long.MAX_VALUE - Math.max(0, nowMs)));
        this.latest = latest;
        this.lastBatchOfProducer = lastBatchOfProducer;
        this.groupLastOffset = groupLastOffset;
    }

    /** Whether a record was dropped or a tombstone's batch needs its delete horizon stamped. */
    boolean dropsOrStamps() {
        return dropsOrStamps;
    }

    /** The earliest delete horizon of the tombstones kept; {@code Long.MAX_VALUE} when none. */
    long tombstonesDueMs() {
        return tombstonesDueMs;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean keep = batch.isControlBatch() || batch.lastOffset() == groupLastOffset
                || batch.hasProducerId() && lastBatchOfProducer.getOrDefault(batch.producerId(), -1L) == batch.lastOffset();
        return keep ? KEEP_EMPTY : DROP_EMPTY;
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        if (batch.isControlBatch() || !record.hasKey()) {
            return true;
        }
        if (latest.get(record.key()) > record.offset()) {
            dropsOrStamps = true;
            return false;
        }
        if (record.hasValue()) {
            return true;
        }
        OptionalLong horizon = batch.deleteHorizonMs();
        if (horizon.isPresent() && currentTime >= horizon.getAsLong()) {
            dropsOrStamps = true;
            return false;
        }
        if (horizon.isEmpty()) {
            dropsOrStamps = true;
        }
        tombstonesDueMs = Math.min(tombstonesDueMs, horizon.orElse(currentTime + deleteRetentionMs));
        return true;
    }
}
