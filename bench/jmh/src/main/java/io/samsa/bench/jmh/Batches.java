package io.samsa.bench.jmh;

import java.nio.ByteBuffer;
import java.util.Random;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Uncompressed v2 record batches as a producer sends them, built by kafka-clients. */
final class Batches {

    private Batches() {
    }

    /**
     * One batch of {@code records} records with {@code valueBytes}-byte random values, no key,
     * in a direct buffer of exactly its size (the broker reads produce requests into direct
     * buffers). All records share one timestamp, so every batch of a shape has the same size.
     */
    static ByteBuffer batch(int valueBytes, int records, long timestamp, long seed) {
        Random random = new Random(seed);
        SimpleRecord[] simple = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            simple[i] = new SimpleRecord(timestamp, null, value);
        }
        ByteBuffer heap = MemoryRecords.withRecords(Compression.NONE, simple).buffer();
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining());
        direct.put(heap).flip();
        return direct;
    }
}
