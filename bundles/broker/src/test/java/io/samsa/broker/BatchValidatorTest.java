package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.Test;

import io.samsa.broker.BatchValidator.ValidatedBatches;

public class BatchValidatorTest {

    private static final int LIMIT = 1 << 20;

    @Test
    public void acceptsSeveralBatchesAndReportsTheirPositions() {
        ByteBuffer a = Records.batch("a", "b");
        ByteBuffer b = Records.batch(Compression.gzip().build(), "c");
        ByteBuffer both = Records.concat(a, b);
        ValidatedBatches v = BatchValidator.validate(both, LIMIT, false);
        assertEquals(Errors.NONE, v.error());
        assertEquals(2, v.count());
        assertEquals(0, v.positions()[0]);
        assertEquals(a.remaining(), v.positions()[1]);
    }

    @Test
    public void corruptCrcIsCorruptMessage() {
        ByteBuffer b = Records.batch("hello");
        b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 0x55));
        ValidatedBatches v = BatchValidator.validate(b, LIMIT, false);
        assertEquals(Errors.CORRUPT_MESSAGE, v.error());
        assertTrue(v.message(), v.message().contains("CRC"));
    }

    @Test
    public void truncatedBufferIsCorruptMessage() {
        ByteBuffer b = Records.batch("hello", "world");
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(b.slice(0, b.remaining() - 3), LIMIT, false).error());
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(b.slice(0, 10), LIMIT, false).error());
        ByteBuffer tooShort = Records.batch("x");
        tooShort.putInt(8, 20);
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(tooShort, LIMIT, false).error());
    }

    @Test
    public void oldMagicIsUnsupported() {
        ByteBuffer v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                new SimpleRecord("old".getBytes())).buffer();
        assertEquals(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, BatchValidator.validate(v1, LIMIT, false).error());
    }

    @Test
    public void batchOverMaxMessageBytesIsTooLarge() {
        ByteBuffer b = Records.batch("0123456789".repeat(20));
        ValidatedBatches v = BatchValidator.validate(b, 100, false);
        assertEquals(Errors.MESSAGE_TOO_LARGE, v.error());
        assertTrue(v.message(), v.message().contains("max.message.bytes"));
    }

    @Test
    public void emptyRequestAndMismatchedCountAreInvalidRecords() {
        assertEquals(Errors.INVALID_RECORD, BatchValidator.validate(ByteBuffer.allocate(0), LIMIT, false).error());
        ByteBuffer b = Records.batch("a", "b");
        b.putInt(BatchHeader.RECORDS_COUNT, 3);
        // The count is covered by the CRC, so a tampered count is caught as corruption first.
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(b, LIMIT, false).error());
    }
}
