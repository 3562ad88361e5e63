package io.samsa.storage.format;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.Test;

import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.TimestampOffset;

/**
 * The behaviour every {@link io.samsa.api.storage.StorageEngine} must show: appends, reads,
 * rolls, timestamp lookups, truncation and retention, in Kafka's on-disk format. Engines
 * subclass it and supply {@link #engine()}.
 */
public abstract class PartitionLogContractTest extends PartitionLogTestSupport {

    @Test
    public void appendsAssignOffsetsAcrossCallsAndStampTheLeaderEpoch() throws Exception {
        PartitionLog log = open();
        AppendResult first = log.append(batch(T0, 3), 7);
        AppendResult second = log.append(batch(T0 + 1, 2), 8);
        assertEquals(0, first.firstOffset());
        assertEquals(2, first.lastOffset());
        assertEquals(3, second.firstOffset());
        assertEquals(4, second.lastOffset());
        assertEquals(T0 + 1, second.maxTimestamp());
        assertEquals(5, log.logEndOffset());
        assertEquals(0, log.logStartOffset());

        List<MutableRecordBatch> read = batches(log.read(0, 1 << 20, Long.MAX_VALUE));
        assertEquals(2, read.size());
        assertEquals(0, read.get(0).baseOffset());
        assertEquals(7, read.get(0).partitionLeaderEpoch());
        assertEquals(3, read.get(1).baseOffset());
        assertEquals(8, read.get(1).partitionLeaderEpoch());
        assertEquals(log.sizeInBytes(), first.bytes() + second.bytes());
    }

    @Test
    public void severalBatchesInOneAppendEachGetTheirOffsets() throws Exception {
        PartitionLog log = open();
        log.append(batch(T0, 1), 0);
        ByteBuffer in = concat(batch(T0, 2), batch(T0 + 5, 3), batch(T0 + 2, 1));
        int position = in.position();
        AppendResult r = log.append(in, 1);
        assertEquals("the caller's buffer position is kept", position, in.position());
        assertEquals(1, r.firstOffset());
        assertEquals(6, r.lastOffset());
        assertEquals(T0 + 5, r.maxTimestamp());
        assertEquals(3, r.offsetOfMaxTimestamp());
        assertEquals(List.of(0L, 1L, 3L, 6L), baseOffsets(log.read(0, 1 << 20, Long.MAX_VALUE)));
    }

    @Test
    public void offsetOfMaxTimestampIsTheRecordCarryingIt() throws Exception {
        PartitionLog log = open();
        log.append(batch(T0, 2), 0);
        AppendResult r = log.append(batchWithTimestamps(T0 + 1, T0 + 9, T0 + 3), 0);
        assertEquals(T0 + 9, r.maxTimestamp());
        assertEquals(3, r.offsetOfMaxTimestamp());
        TimestampOffset max = log.maxTimestamp();
        assertEquals(T0 + 9, max.timestamp());
        assertEquals(3, max.offset());
    }

    @Test
    public void readingInsideABatchReturnsTheWholeContainingBatch() throws Exception {
        PartitionLog log = open();
        log.append(batch(T0, 5), 0);
        log.append(batch(T0, 5), 0);
        assertEquals(List.of(0L, 5L), baseOffsets(log.read(3, 1 << 20, Long.MAX_VALUE)));
        assertEquals(List.of(5L), baseOffsets(log.read(9, 1 << 20, Long.MAX_VALUE)));
    }

    @Test
    public void readAtTheEndIsEmptyAndBeyondIsOutOfRange() throws Exception {
        PartitionLog log = open();
        assertEquals(0, log.read(0, 1000, Long.MAX_VALUE).sizeInBytes());
        log.append(batch(T0, 2), 0);
        assertEquals(0, log.read(2, 1000, Long.MAX_VALUE).sizeInBytes());
        OffsetOutOfRangeException e = assertThrows(OffsetOutOfRangeException.class,
                () -> log.read(3, 1000, Long.MAX_VALUE));
        assertTrue(e.getMessage(), e.getMessage().contains("orders-3") && e.getMessage().contains("3")
                && e.getMessage().contains("0") && e.getMessage().contains("2"));
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(-1, 1000, Long.MAX_VALUE));
    }

    @Test
    public void maxBytesLimitsToWholeBatchesButAlwaysGivesTheFirst() throws Exception {
        PartitionLog log = open();
        int size = log.append(batch(T0, 4), 0).bytes();
        log.append(batch(T0, 4), 0);
        log.append(batch(T0, 4), 0);
        assertEquals(List.of(0L, 4L), baseOffsets(log.read(0, 2 * size + size / 2, Long.MAX_VALUE)));
        assertEquals(List.of(0L), baseOffsets(log.read(0, 1, Long.MAX_VALUE)));
        assertEquals(List.of(4L, 8L), baseOffsets(log.read(5, 1 << 20, Long.MAX_VALUE)));
    }

    @Test
    public void maxOffsetExcludesBatchesStartingAtOrAfterIt() throws Exception {
        PartitionLog log = open();
        log.append(batch(T0, 3), 0);
        log.append(batch(T0, 2), 0);
        log.append(batch(T0, 2), 0);
        assertEquals(List.of(0L), baseOffsets(log.read(0, 1 << 20, 3)));
        assertEquals(List.of(0L, 3L), baseOffsets(log.read(1, 1 << 20, 4)));
        assertEquals(0, log.read(3, 1 << 20, 3).sizeInBytes());
    }

    @Test
    public void readLimitsAgreeWithAWalkOverEveryBatch() throws Exception {
        PartitionLog log = open("index.interval.bytes", "100", "segment.index.bytes", "4096");
        for (int i = 0; i < 60; i++) {
            log.append(batch(T0 + i, 1 + i % 4), 0);
        }
        List<MutableRecordBatch> all = batches(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(60, all.size());
        for (int from = 0; from < 60; from += 7) {
            MutableRecordBatch first = all.get(from);
            long offset = from % 2 == 0 ? first.baseOffset() : first.lastOffset();
            for (int maxBytes : new int[] {1, 300, 1000, 2500, 1 << 20}) {
                for (long maxOffset : new long[] {5, 40, 77, 151, Long.MAX_VALUE}) {
                    List<Long> expected = new ArrayList<>();
                    int used = 0;
                    for (int j = from; j < all.size(); j++) {
                        MutableRecordBatch b = all.get(j);
                        if (b.baseOffset() >= maxOffset || (j > from && used + b.sizeInBytes() > maxBytes)) {
                            break;
                        }
                        expected.add(b.baseOffset());
                        used += b.sizeInBytes();
                    }
                    assertEquals("read(" + offset + ", " + maxBytes + ", " + maxOffset + ")", expected,
                            baseOffsets(log.read(offset, maxBytes, maxOffset)));
                }
            }
        }
    }

    @Test
    public void sliceTransferToSendsTheSameBytesAsReadInto() throws Exception {
        PartitionLog log = open();
        for (int i = 0; i < 10; i++) {
            log.append(batch(T0 + i, 3), 0);
        }
        LogSlice slice = log.read(4, 1 << 20, Long.MAX_VALUE);
        ByteBuffer copy = ByteBuffer.allocate(slice.sizeInBytes());
        slice.readInto(copy, 0);
        assertArrayEquals(copy.array(), transfer(slice, 37));
        ByteBuffer tail = ByteBuffer.allocate(10);
        slice.readInto(tail, slice.sizeInBytes() - 4);
        assertEquals("readInto stops at the end of the slice", 4, tail.position());
    }

    @Test
    public void segmentsRollAtSegmentBytesAndEveryOffsetIsFoundThroughTheIndexes() throws Exception {
        PartitionLog log = open("segment.bytes", "2000", "index.interval.bytes", "150", "segment.index.bytes", "4096");
        int n = 120;
        for (int i = 0; i < n; i++) {
            log.append(batch(T0 + i, 1 + i % 3), 0);
        }
        long end = log.logEndOffset();
        assertTrue("several segments: " + files(".log"), files(".log").size() > 5);
        for (var f : files(".log")) {
            assertTrue(f + " within segment.bytes", Files.size(f) <= 2000);
        }
        for (long offset = 0; offset < end; offset++) {
            List<MutableRecordBatch> got = batches(log.read(offset, 1, Long.MAX_VALUE));
            assertEquals(1, got.size());
            assertTrue("batch holds " + offset, got.get(0).baseOffset() <= offset && got.get(0).lastOffset() >= offset);
        }
        log.close();
        List<Long> offsets = verifyKafkaFormat();
        assertEquals(end, offsets.size());
        assertEquals(end - 1, (long) offsets.get(offsets.size() - 1));
    }

    @Test
    public void aFullIndexRollsTheSegment() throws Exception {
        PartitionLog log = open("segment.index.bytes", "24", "index.interval.bytes", "0");
        for (int i = 0; i < 12; i++) {
            log.append(batch(T0 + i, 2), 0);
        }
        assertTrue(files(".log").size() >= 4);
        for (long offset = 0; offset < 24; offset++) {
            MutableRecordBatch b = batches(log.read(offset, 1, Long.MAX_VALUE)).get(0);
            assertEquals(offset - offset % 2, b.baseOffset());
        }
        assertEquals(14, log.offsetForTimestamp(T0 + 7).offset());
        log.close();
        assertEquals(24, verifyKafkaFormat().size());
    }

    @Test
    public void batchesLargerThanASegmentOrMaxMessageBytesAreRefused() throws Exception {
        PartitionLog log = open("segment.bytes", "300", "max.message.bytes", "250");
        ByteBuffer big = batch(T0, 12);
        assertTrue(big.remaining() > 300);
        assertThrows(RecordTooLargeException.class, () -> log.append(big, 0));
        PartitionLog log2 = open(config("segment.bytes", "300"));
        assertThrows(RecordBatchTooLargeException.class, () -> log2.append(batch(T0, 12), 0));
        assertEquals(0, log2.logEndOffset());
    }

    @Test
    public void corruptInputIsRefusedAndNothingIsWritten() throws Exception {
        PartitionLog log = open();
        log.append(batch(T0, 1), 0);
        ByteBuffer bad = batch(T0, 2);
        bad.put(16, (byte) 1);
        assertThrows(CorruptRecordException.class, () -> log.append(bad, 0));
        ByteBuffer cut = batch(T0, 2);
        cut.limit(cut.limit() - 3);
        assertThrows(CorruptRecordException.class, () -> log.append(cut, 0));
        assertEquals(1, log.logEndOffset());
        assertEquals(0, log.append(ByteBuffer.allocate(0), 0).bytes());
        assertEquals(List.of(0L), baseOffsets(log.read(0, 1 << 20, Long.MAX_VALUE)));
    }

    @Test
    public void appendWithOffsetsKeepsOffsetsAndChecksTheFirst() throws Exception {
        PartitionLog log = open();
        log.append(batch(T0, 2), 0);
        ByteBuffer follower = batch(T0, 3);
        follower.putLong(0, 2L);
        follower.putInt(12, 4);
        AppendResult r = log.appendWithOffsets(follower);
        assertEquals(2, r.firstOffset());
        assertEquals(4, r.lastOffset());
        ByteBuffer wrong = batch(T0, 1);
        wrong.putLong(0, 9L);
        assertThrows(InvalidRecordException.class, () -> log.appendWithOffsets(wrong));
        assertEquals(5, log.logEndOffset());
        MutableRecordBatch b = batches(log.read(2, 1 << 20, Long.MAX_VALUE)).get(0);
        assertEquals(4, b.partitionLeaderEpoch());
    }

    @Test
    public void segmentMsRollsByRecordTime() throws Exception {
        PartitionLog log = open("segment.ms", "1000");
        log.append(batch(T0, 1), 0);
        log.append(batch(T0 + 1000, 1), 0);
        assertEquals(1, files(".log").size());
        log.append(batch(T0 + 1001, 1), 0);
        assertEquals(2, files(".log").size());
        assertEquals(2, baseOffsetOf(files(".log").get(1)));
    }

    @Test
    public void offsetForTimestampFindsTheFirstRecordAtOrAfter() throws Exception {
        PartitionLog log = open("segment.bytes", "600", "index.interval.bytes", "100");
        for (int i = 0; i < 30; i++) {
            log.append(batchWithTimestamps(T0 + 10 * i, T0 + 10 * i + 5), 0);
        }
        assertTrue(files(".log").size() > 3);
        assertEquals(0, log.offsetForTimestamp(0).offset());
        TimestampOffset mid = log.offsetForTimestamp(T0 + 123);
        assertEquals(T0 + 125, mid.timestamp());
        assertEquals(25, mid.offset());
        assertEquals(24, log.offsetForTimestamp(T0 + 120).offset());
        assertEquals(59, log.offsetForTimestamp(T0 + 295).offset());
        assertNull(log.offsetForTimestamp(T0 + 296));
        TimestampOffset max = log.maxTimestamp();
        assertEquals(T0 + 295, max.timestamp());
        assertEquals(59, max.offset());
    }

    @Test
    public void timestampsOutOfOrderInsideABatchAreSearchedPerRecord() throws Exception {
        PartitionLog log = open();
        log.append(batchWithTimestamps(T0 + 100, T0 + 300, T0 + 200), 5);
        TimestampOffset r = log.offsetForTimestamp(T0 + 250);
        assertEquals(1, r.offset());
        assertEquals(T0 + 300, r.timestamp());
        assertEquals(5, r.leaderEpoch());
    }

    @Test
    public void anEmptyLogHasNoTimestamps() throws Exception {
        PartitionLog log = open();
        assertNull(log.maxTimestamp());
        assertNull(log.offsetForTimestamp(0));
    }

    @Test
    public void truncateToRemovesLaterBatchesAndSegments() throws Exception {
        PartitionLog log = open("segment.bytes", "500");
        for (int i = 0; i < 20; i++) {
            log.append(batch(T0 + i, 2), 0);
        }
        int segmentsBefore = files(".log").size();
        assertTrue(segmentsBefore > 3);
        log.truncateTo(11); // inside the batch [10, 11]: the whole batch goes
        assertEquals(10, log.logEndOffset());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(12, 100, Long.MAX_VALUE));
        assertTrue(files(".log").size() < segmentsBefore);
        assertEquals(T0 + 4, log.maxTimestamp().timestamp());
        assertEquals(10, log.append(batch(T0 + 50, 1), 0).firstOffset());
        List<Long> bases = baseOffsets(log.read(0, 1 << 20, Long.MAX_VALUE));
        assertEquals(0L, (long) bases.get(0));
        log.truncateTo(100);
        assertEquals(11, log.logEndOffset());
        log.close();
        assertEquals(11, verifyKafkaFormat().size());
        PartitionLog reopened = open("segment.bytes", "500");
        assertEquals(11, reopened.logEndOffset());
        assertEquals(T0 + 50, reopened.maxTimestamp().timestamp());
    }

    @Test
    public void aSliceOfTruncatedBatchesFailsInsteadOfSendingOtherBytes() throws Exception {
        PartitionLog log = open();
        for (int i = 0; i < 6; i++) {
            log.append(batch(T0 + i, 2), 0);
        }
        LogSlice tail = log.read(8, 1 << 20, Long.MAX_VALUE);
        assertEquals(List.of(8L, 10L), baseOffsets(tail));
        log.truncateTo(8);
        assertThrows(EOFException.class, () -> transfer(tail, 1 << 20));
        assertThrows(EOFException.class, () -> tail.readInto(ByteBuffer.allocate(tail.sizeInBytes()), 0));
        assertEquals(List.of(6L), baseOffsets(log.read(6, 1 << 20, Long.MAX_VALUE)));
    }

    @Test
    public void truncateBelowTheFirstSegmentEmptiesTheLog() throws Exception {
        PartitionLog log = open("segment.bytes", "500");
        for (int i = 0; i < 12; i++) {
            log.append(batch(T0, 2), 0);
        }
        log.deleteRecordsBefore(20);
        log.enforceRetention(T0);
        assertEquals(20, log.logStartOffset());
        log.truncateTo(3);
        assertEquals(3, log.logEndOffset());
        assertEquals(3, log.logStartOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(3, log.append(batch(T0, 1), 0).firstOffset());
        assertEquals(List.of(3L), baseOffsets(log.read(3, 1000, Long.MAX_VALUE)));
    }

    @Test
    public void deleteRecordsBeforeAdvancesTheStartAndDropsWholeSegments() throws Exception {
        PartitionLog log = open("segment.bytes", "500");
        for (int i = 0; i < 20; i++) {
            log.append(batch(T0, 2), 0);
        }
        int before = files(".log").size();
        assertEquals(15, log.deleteRecordsBefore(15));
        assertEquals(15, log.logStartOffset());
        assertTrue(files(".log").size() < before);
        assertTrue(baseOffsetOf(files(".log").get(0)) <= 15);
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(14, 100, Long.MAX_VALUE));
        assertEquals(List.of(14L), baseOffsets(log.read(15, 1, Long.MAX_VALUE)));
        assertEquals("never moves back", 15, log.deleteRecordsBefore(3));
        assertThrows(OffsetOutOfRangeException.class, () -> log.deleteRecordsBefore(41));
        log.close();
        assertEquals(15, open("segment.bytes", "500").logStartOffset());
    }

    @Test
    public void retentionBytesDeletesTheOldestSegments() throws Exception {
        PartitionLog log = open("segment.bytes", "1000", "retention.bytes", "2500");
        for (int i = 0; i < 60; i++) {
            log.append(batch(T0, 2), 0);
        }
        long size = log.sizeInBytes();
        int deleted = log.enforceRetention(T0);
        assertTrue(deleted > 0);
        assertTrue(log.sizeInBytes() >= 2500 && log.sizeInBytes() < size);
        assertTrue("no further segment could go", log.sizeInBytes() - Files.size(files(".log").get(0)) < 2500);
        assertEquals(baseOffsetOf(files(".log").get(0)), log.logStartOffset());
        assertEquals(0, log.enforceRetention(T0));
        assertEquals(List.of(log.logStartOffset()), baseOffsets(log.read(log.logStartOffset(), 1, Long.MAX_VALUE)));
    }

    @Test
    public void retentionMsDeletesSegmentsWhoseNewestRecordIsOld() throws Exception {
        PartitionLog log = open("segment.bytes", "600", "retention.ms", "10000");
        for (int i = 0; i < 20; i++) {
            log.append(batch(T0 + i * 1000, 1), 0);
        }
        int segments = files(".log").size();
        int deleted = log.enforceRetention(T0 + 16_000);
        assertTrue(deleted > 0 && deleted < segments);
        assertTrue("only segments whose records are all before T0+6000 go", log.logStartOffset() > 0
                && log.logStartOffset() <= 6);
        assertEquals(log.logStartOffset(), baseOffsetOf(files(".log").get(0)));
        assertEquals(20, log.logEndOffset());
        // everything expired: the active segment is rolled and deleted too
        log.enforceRetention(T0 + 100_000);
        assertEquals(20, log.logStartOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(20, log.append(batch(T0, 1), 0).firstOffset());
    }

    @Test
    public void enforceRetentionRollsTheActiveSegmentBySegmentMs() throws Exception {
        PartitionLog log = open("segment.ms", "5000");
        log.append(batch(T0, 1), 0);
        assertEquals(0, log.enforceRetention(T0 + 5000));
        assertEquals(1, files(".log").size());
        log.enforceRetention(T0 + 5001);
        assertEquals(2, files(".log").size());
        assertEquals(1, log.enforceRetention(T0 + 5001 + LogConfig.DEFAULTS.retentionMs()));
    }

    @Test
    public void slicesStayReadableAfterRollAndSegmentDeletion() throws Exception {
        PartitionLog log = open("segment.bytes", "400");
        log.append(batch(T0, 3), 0);
        LogSlice slice = log.read(0, 1 << 20, Long.MAX_VALUE);
        byte[] before = transfer(slice, 1 << 20);
        for (int i = 0; i < 10; i++) {
            log.append(batch(T0, 3), 0);
        }
        log.deleteRecordsBefore(30);
        assertFalse(Files.exists(dir.resolve("00000000000000000000.log")));
        assertArrayEquals(before, transfer(slice, 13));
    }

    @Test
    public void deleteRemovesTheDirectory() throws Exception {
        PartitionLog log = engine().open(TP, dir, config());
        log.append(batch(T0, 2), 0);
        log.delete();
        assertFalse(Files.exists(dir));
    }
}
