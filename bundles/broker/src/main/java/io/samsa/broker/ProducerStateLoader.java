package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.RecordBatchLayout;

/**
 * Rebuilds a partition's {@link ProducerStateTable} when its log opens by walking the batch
 * headers of the log's tail. Only the fixed-size header of each batch is copied out of the
 * log; record bytes stay on disk.
 */
final class ProducerStateLoader {

    /**
     * How far back the walk starts. Retries that matter come from producers that were in flight
     * recently; an older producer simply counts as unknown, and its next batch is accepted.
     */
    static final long TAIL_OFFSETS = 200_000;

    private static final int CHUNK_BYTES = 16 * 1024 * 1024;

    private ProducerStateLoader() {
    }

    /** @return the number of batches scanned */
    static int load(PartitionLog log, ProducerStateTable table, long nowMs) throws IOException {
        long end = log.logEndOffset();
        long offset = Math.max(log.logStartOffset(), end - TAIL_OFFSETS);
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        int batches = 0;
        while (offset < end) {
            LogSlice slice = log.read(offset, CHUNK_BYTES, end);
            int size = slice.sizeInBytes();
            long next = offset;
            int pos = 0;
            while (pos + RecordBatchLayout.HEADER_SIZE <= size) {
                header.clear();
                slice.readInto(header, pos);
                int batchSize = RecordBatchLayout.sizeInBytes(header, 0);
                if (batchSize < RecordBatchLayout.HEADER_SIZE) {
                    return batches;
                }
                long base = RecordBatchLayout.baseOffset(header, 0);
                long producerId = RecordBatchLayout.producerId(header, 0);
                if (producerId >= 0 && !RecordBatchLayout.isControl(header, 0)) {
                    table.add(producerId, RecordBatchLayout.producerEpoch(header, 0), RecordBatchLayout.baseSequence(header, 0),
                            RecordBatchLayout.lastSequence(header, 0), base, nowMs);
                }
                next = base + RecordBatchLayout.lastOffsetDelta(header, 0) + 1;
                pos += batchSize;
                batches++;
            }
            if (next <= offset) {
                break;
            }
            offset = next;
        }
        return batches;
    }
}
