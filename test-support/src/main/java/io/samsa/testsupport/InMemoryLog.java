package io.samsa.testsupport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/** A partition log kept as a list of record batches on the heap. Guarded by the owner's monitor. */
final class InMemoryLog {

    private final List<ByteBuffer> batches = new ArrayList<>();
    private final List<long[]> ranges = new ArrayList<>(); // {base, last, maxTimestamp}
    long logStartOffset;
    long nextOffset;
    /** Where consumers stop reading; -1 while it follows {@link #nextOffset} (a leader with an ISR of one). */
    long heldHighWatermark = -1;
    /** The leader epoch this log is led in, and where it started; batches are stored in epoch 0. */
    int leaderEpoch;
    long leaderEpochStart;

    long highWatermark() {
        return heldHighWatermark < 0 ? nextOffset : Math.min(heldHighWatermark, nextOffset);
    }

    long sizeInBytes() {
        long size = 0;
        for (ByteBuffer batch : batches) {
            size += batch.remaining();
        }
        return size;
    }

    /** Assigns offsets and keeps a copy of each batch; returns the base offset. */
    long append(ByteBuffer records) {
        long base = nextOffset;
        MemoryRecords memoryRecords = MemoryRecords.readableRecords(records.duplicate());
        for (MutableRecordBatch batch : memoryRecords.batches()) {
            batch.ensureValid();
            long last = nextOffset + (batch.lastOffset() - batch.baseOffset());
            batch.setLastOffset(last);
            batch.setPartitionLeaderEpoch(0);
            ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
            batch.writeTo(copy);
            copy.flip();
            batches.add(copy);
            ranges.add(new long[] {last - (batch.lastOffset() - batch.baseOffset()), last, batch.maxTimestamp()});
            nextOffset = last + 1;
        }
        return base;
    }

    /** Whole batches from the one holding {@code offset}, the first always, then up to {@code maxBytes}. */
    ByteBuffer read(long offset, int maxBytes) {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /** As {@link #read(long, int)}, only batches that start below {@code maxOffset}. */
    ByteBuffer read(long offset, int maxBytes, long maxOffset) {
        List<ByteBuffer> picked = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < batches.size(); i++) {
            if (ranges.get(i)[1] < Math.max(offset, logStartOffset)) {
                continue;
            }
            if (ranges.get(i)[0] >= maxOffset) {
                break;
            }
            int batchSize = batches.get(i).remaining();
            if (!picked.isEmpty() && size + batchSize > maxBytes) {
                break;
            }
            picked.add(batches.get(i));
            size += batchSize;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        picked.forEach(b -> out.put(b.duplicate()));
        return out.flip();
    }

    long offsetForTimestamp(long timestamp) {
        for (long[] range : ranges) {
            if (range[2] >= timestamp && range[1] >= logStartOffset) {
                return Math.max(range[0], logStartOffset);
            }
        }
        return -1;
    }

    long[] maxTimestamp() {
        long[] best = null;
        for (long[] range : ranges) {
            if (best == null || range[2] > best[2]) {
                best = range;
            }
        }
        return best;
    }
}
