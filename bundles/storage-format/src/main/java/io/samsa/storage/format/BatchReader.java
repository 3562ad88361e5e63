package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.api.storage.TimestampOffset;

/**
 * Reads record batches out of a {@link RecordFile} (the counterpart of Kafka's FileRecords):
 * fixed headers for navigation, whole batches where a record must be found, CRC checks for
 * recovery.
 */
final class BatchReader {

    private BatchReader() {
    }

    /** Reads the fixed batch header at {@code position} into {@code header} (cleared first). */
    static boolean readHeader(RecordFile log, ByteBuffer header, int position) throws IOException {
        header.clear();
        return log.read(header, position);
    }

    /**
     * Reads a batch header like {@link #readHeader}, failing when it is not a v2 header (the
     * published part of a log holds nothing else).
     */
    static boolean readBatchHeader(RecordFile log, ByteBuffer header, int pos) throws IOException {
        if (!readHeader(log, header, pos)) {
            return false;
        }
        // Callers bound the batch by their own limit (a read's end may trail a concurrent truncation).
        String problem = RecordBatchLayout.headerProblem(header, 0, Long.MAX_VALUE);
        if (problem != null) {
            throw new CorruptRecordException("Segment " + log.file() + " has no valid v2 batch header at byte " + pos
                    + ": " + problem);
        }
        return true;
    }

    /** Decodes the batch at {@code pos} (decompressing if needed) to find a record; not a fetch path. */
    static TimestampOffset firstRecordAtOrAfter(RecordFile log, int pos, int batchSize, long timestamp,
            long startingOffset) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(batchSize);
        if (!log.read(bytes, pos)) {
            return null;
        }
        bytes.flip();
        MutableRecordBatch batch = MemoryRecords.readableRecords(bytes).batches().iterator().next();
        for (Record record : batch) {
            if (record.timestamp() >= timestamp && record.offset() >= startingOffset) {
                return new TimestampOffset(record.timestamp(), record.offset(), batch.partitionLeaderEpoch());
            }
        }
        return null;
    }

    /**
     * Checks the batch at {@code pos} as recovery must: framing within {@code limit}, magic 2,
     * base offset at least {@code next}, and the CRC32C over attributes to the end, read in
     * {@code chunk}-sized pieces so a large batch needs no large buffer.
     *
     * @return null when valid (its header is then in {@code header}), else the problem
     */
    static String checkBatch(RecordFile log, int pos, int limit, long next, ByteBuffer header, ByteBuffer chunk,
            CRC32C crc) throws IOException {
        if (limit - pos < RecordBatchLayout.HEADER_SIZE || !readHeader(log, header, pos)) {
            return "only " + (limit - pos) + " bytes left, less than a batch header";
        }
        String problem = RecordBatchLayout.headerProblem(header, 0, limit - pos);
        if (problem != null) {
            return problem;
        }
        long base = RecordBatchLayout.baseOffset(header, 0);
        if (base < next) {
            return "base offset " + base + " is below the expected " + next;
        }
        crc.reset();
        header.limit(RecordBatchLayout.HEADER_SIZE).position(RecordBatchLayout.ATTRIBUTES);
        crc.update(header);
        long at = (long) pos + RecordBatchLayout.HEADER_SIZE;
        long end = (long) pos + RecordBatchLayout.sizeInBytes(header, 0);
        while (at < end) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
            if (!log.read(chunk, at)) {
                return "the file ended inside the batch";
            }
            chunk.flip();
            at += chunk.remaining();
            crc.update(chunk);
        }
        int stored = RecordBatchLayout.crc(header, 0);
        if ((int) crc.getValue() != stored) {
            return "CRC32C " + Integer.toUnsignedString((int) crc.getValue()) + " differs from the stored "
                    + Integer.toUnsignedString(stored);
        }
        return null;
    }
}
