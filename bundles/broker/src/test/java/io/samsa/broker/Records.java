package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

import io.samsa.api.storage.LogSlice;

/** Builds record batches with kafka-clients, as a producer does, and reads fetched slices back. */
final class Records {

    private Records() {
    }

    static ByteBuffer batch(String... values) {
        return batch(Compression.NONE, values);
    }

    static ByteBuffer batch(Compression compression, String... values) {
        return batchAt(compression, System.currentTimeMillis(), values);
    }

    static ByteBuffer batchAt(Compression compression, long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(compression, records).buffer();
    }

    static ByteBuffer idempotent(long producerId, short epoch, int baseSequence, String... values) {
        return idempotentAt(System.currentTimeMillis(), producerId, epoch, baseSequence, values);
    }

    static ByteBuffer idempotentAt(long timestamp, long producerId, short epoch, int baseSequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence, records)
                .buffer();
    }

    /**
     * {@code batch} as a leader stored it: at {@code baseOffset}, stamped with {@code leaderEpoch}
     * (neither is covered by the CRC), what a follower copies.
     */
    static ByteBuffer asLeaderWrote(ByteBuffer batch, long baseOffset, int leaderEpoch) {
        batch.putLong(batch.position(), baseOffset);
        batch.putInt(batch.position() + 12, leaderEpoch);
        return batch;
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer p : parts) {
            size += p.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer p : parts) {
            all.put(p.duplicate());
        }
        return all.flip();
    }

    static MemoryRecords read(LogSlice slice) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(slice.sizeInBytes());
        slice.readInto(b, 0);
        b.position(0);
        return MemoryRecords.readableRecords(b);
    }

    /** Values of every record in the slice, decompressing as a consumer would. */
    static List<String> values(LogSlice slice) throws IOException {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : read(slice).batches()) {
            for (Record r : batch) {
                ByteBuffer v = r.value();
                byte[] bytes = new byte[v.remaining()];
                v.get(bytes);
                out.add(new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static List<Long> offsets(LogSlice slice) throws IOException {
        List<Long> out = new ArrayList<>();
        for (RecordBatch batch : read(slice).batches()) {
            for (Record r : batch) {
                out.add(r.offset());
            }
        }
        return out;
    }
}
