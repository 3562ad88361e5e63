package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.Test;

import io.samsa.api.broker.AppendOrigin;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.broker.BatchValidator.ValidatedBatches;

public class BatchValidatorTest {

    private static final int LIMIT = 1 << 20;
    private static final AppendOrigin CLIENT = AppendOrigin.client((short) 9);

    @Test
    public void acceptsSeveralBatchesAndReportsTheirPositions() {
        ByteBuffer a = Records.batch("a", "b");
        ByteBuffer b = Records.batch(Compression.gzip().build(), "c");
        ByteBuffer both = Records.concat(a, b);
        ValidatedBatches v = BatchValidator.validate(both, LIMIT, AppendOrigin.BROKER);
        assertEquals(Errors.NONE, v.error());
        assertEquals(2, v.count());
        assertEquals(0, v.positions()[0]);
        assertEquals(a.remaining(), v.positions()[1]);
    }

    @Test
    public void corruptCrcIsCorruptMessage() {
        ByteBuffer b = Records.batch("hello");
        b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 0x55));
        ValidatedBatches v = BatchValidator.validate(b, LIMIT, CLIENT);
        assertEquals(Errors.CORRUPT_MESSAGE, v.error());
        assertTrue(v.message(), v.message().contains("CRC"));
    }

    @Test
    public void truncatedBufferIsCorruptMessage() {
        ByteBuffer b = Records.batch("hello", "world");
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(b.slice(0, b.remaining() - 3), LIMIT, CLIENT).error());
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(b.slice(0, 10), LIMIT, CLIENT).error());
        ByteBuffer tooShort = Records.batch("x");
        tooShort.putInt(8, 20);
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(tooShort, LIMIT, CLIENT).error());
    }

    @Test
    public void oldMagicIsUnsupported() {
        ByteBuffer v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                new SimpleRecord("old".getBytes())).buffer();
        assertEquals(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, BatchValidator.validate(v1, LIMIT, CLIENT).error());
    }

    @Test
    public void batchOverMaxMessageBytesIsTooLarge() {
        ByteBuffer b = Records.batch("0123456789".repeat(20));
        ValidatedBatches v = BatchValidator.validate(b, 100, CLIENT);
        assertEquals(Errors.MESSAGE_TOO_LARGE, v.error());
        assertTrue(v.message(), v.message().contains("max.message.bytes"));
    }

    @Test
    public void emptyRequestAndMismatchedCountAreInvalidRecords() {
        assertEquals(Errors.INVALID_RECORD, BatchValidator.validate(ByteBuffer.allocate(0), LIMIT, CLIENT).error());
        ByteBuffer b = Records.batch("a", "b");
        b.putInt(RecordBatchLayout.RECORDS_COUNT, 3);
        // The count is covered by the CRC, so a tampered count is caught as corruption first.
        assertEquals(Errors.CORRUPT_MESSAGE, BatchValidator.validate(b, LIMIT, CLIENT).error());
    }

    @Test
    public void aClientMaySendOnlyOneBatchPerPartition() {
        ByteBuffer two = Records.concat(Records.batch("a"), Records.batch("b"));
        ValidatedBatches v = BatchValidator.validate(two, LIMIT, CLIENT);
        assertEquals(Errors.INVALID_RECORD, v.error());
        assertTrue(v.message(), v.message().contains("exactly one record batch"));
    }

    @Test
    public void zstdNeedsProduceVersionSeven() {
        // The validator reads only the header's compression bits; no zstd codec is needed to build one.
        ByteBuffer zstd = Records.batch("squeezed");
        zstd.putShort(RecordBatchLayout.ATTRIBUTES, (short) RecordBatchLayout.ZSTD);
        CRC32C crc = new CRC32C();
        crc.update(zstd.duplicate().position(RecordBatchLayout.ATTRIBUTES));
        zstd.putInt(RecordBatchLayout.CRC, (int) crc.getValue());
        ValidatedBatches v6 = BatchValidator.validate(zstd, LIMIT, AppendOrigin.client((short) 6));
        assertEquals(Errors.UNSUPPORTED_COMPRESSION_TYPE, v6.error());
        assertTrue(v6.message(), v6.message().contains("zstd"));
        assertEquals(Errors.NONE, BatchValidator.validate(zstd, LIMIT, AppendOrigin.client((short) 7)).error());
    }

    @Test
    public void transactionalAndControlBatchesAreRefusedFromClientsOnly() {
        ByteBuffer transactional = MemoryRecords.withTransactionalRecords(Compression.NONE, 7L, (short) 0, 0,
                new SimpleRecord("tx".getBytes())).buffer();
        ValidatedBatches v = BatchValidator.validate(transactional, LIMIT, CLIENT);
        assertEquals(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, v.error());
        assertTrue(v.message(), v.message().contains("Transactional"));

        ByteBuffer marker = MemoryRecords.withEndTransactionMarker(7L, (short) 0,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0)).buffer();
        ValidatedBatches control = BatchValidator.validate(marker, LIMIT, CLIENT);
        assertEquals(Errors.INVALID_RECORD, control.error());
        assertTrue(control.message(), control.message().contains("control"));
        assertEquals(Errors.NONE, BatchValidator.validate(marker, LIMIT, AppendOrigin.BROKER).error());
    }

    @Test
    public void negativeLastOffsetDeltaIsCaughtByTheFraming() {
        ByteBuffer b = Records.batch("a");
        b.putInt(RecordBatchLayout.LAST_OFFSET_DELTA, -1);
        ValidatedBatches v = BatchValidator.validate(b, LIMIT, CLIENT);
        assertEquals(Errors.CORRUPT_MESSAGE, v.error());
        assertTrue(v.message(), v.message().contains("last offset delta"));
    }
}
