package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.Test;

import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.api.storage.TimestampOffset;

/**
 * The checkpoints every engine keeps beside the segments, in Kafka's checkpoint format: the
 * {@code leader-epoch-checkpoint} and the per-partition {@code recovery-point}, and recovery
 * that starts at the recovery point's segment after an unclean shutdown.
 */
public abstract class PartitionLogCheckpointContractTest extends PartitionLogTestSupport {

    private static final String EPOCHS = "leader-epoch-checkpoint";
    private static final String RECOVERY_POINT = "recovery-point";
    private static final String[] SMALL = {"segment.bytes", "600", "index.interval.bytes", "100",
        "segment.index.bytes", "1024"};

    private String text(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    /** The entries of a checkpoint file, after checking the framing Kafka's CheckpointFile reader checks. */
    private List<String> entries(String name) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(name));
        assertTrue(name + " has a version and a count line: " + lines, lines.size() >= 2);
        assertEquals("version", "0", lines.get(0));
        assertEquals("entry count of " + lines, lines.size() - 2, Integer.parseInt(lines.get(1)));
        assertTrue("the file ends with a newline", text(name).endsWith("\n"));
        return lines.subList(2, lines.size());
    }

    private String recoveryPointText(long offset) {
        return "0\n1\n" + TP.topic() + " " + TP.partition() + " " + offset + "\n";
    }

    /** Offsets 0-1 and 2-4 in epoch 0, 5 in epoch 1, 6-7 in epoch 3. */
    private PartitionLog epochs0013() throws IOException {
        PartitionLog log = open();
        log.append(batch(T0, 2), 0);
        log.append(batch(T0 + 1, 3), 0);
        log.append(batch(T0 + 2, 1), 1);
        log.append(batch(T0 + 3, 2), 3);
        return log;
    }

    @Test
    public void theLeaderEpochCheckpointListsWhereEachEpochStarts() throws Exception {
        PartitionLog log = open();
        assertFalse("no epoch yet, no file", Files.exists(dir.resolve(EPOCHS)));
        log.close();
        log = epochs0013();
        assertEquals("0\n3\n0 0\n1 5\n3 6\n", text(EPOCHS));
        assertFalse(Files.exists(dir.resolve(EPOCHS + ".tmp")));
        assertEquals(new TimestampOffset(T0 + 2, 5, 1), log.offsetForTimestamp(T0 + 2));
        assertEquals(new TimestampOffset(T0 + 3, 6, 3), log.maxTimestamp());

        ByteBuffer follower = batch(T0, 2);
        follower.putLong(0, 8L);
        follower.putInt(12, 4);
        log.appendWithOffsets(follower);
        ByteBuffer unstamped = batch(T0, 1); // partition leader epoch -1, as a producer writes it
        unstamped.putLong(0, 10L);
        log.appendWithOffsets(unstamped);
        log.append(batch(T0, 1), 4);
        assertEquals("0\n4\n0 0\n1 5\n3 6\n4 8\n", text(EPOCHS));
        log.close();
        assertEquals("0\n4\n0 0\n1 5\n3 6\n4 8\n", text(EPOCHS));
    }

    @Test
    public void endOffsetForEpochAnswersAsKafkasLeaderEpochCache() throws Exception {
        PartitionLog log = epochs0013();
        assertEquals(new EpochEndOffset(0, 5), log.endOffsetForEpoch(0));
        assertEquals(new EpochEndOffset(1, 6), log.endOffsetForEpoch(1));
        assertEquals("an unknown epoch between known ones ends with the one before it",
                new EpochEndOffset(1, 6), log.endOffsetForEpoch(2));
        assertEquals("the latest epoch ends at the log end", new EpochEndOffset(3, 8), log.endOffsetForEpoch(3));
        assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(4));
        assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(-1));

        log.truncateTo(6); // epoch 3 is gone: epoch 1 is now the latest
        assertEquals(new EpochEndOffset(1, 6), log.endOffsetForEpoch(1));
        assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(3));
        log.close();
        PartitionLog reopened = open(); // from the checkpoint file
        assertEquals(new EpochEndOffset(0, 5), reopened.endOffsetForEpoch(0));
        assertEquals(new EpochEndOffset(1, 6), reopened.endOffsetForEpoch(1));
        reopened.close();
    }

    @Test
    public void truncateToDropsTheEpochsFromTheCutOn() throws Exception {
        PartitionLog log = epochs0013();
        log.truncateTo(7); // inside the batch 6-7, which goes whole
        assertEquals(6, log.logEndOffset());
        assertEquals("0\n2\n0 0\n1 5\n", text(EPOCHS));
        log.truncateTo(5);
        assertEquals("0\n1\n0 0\n", text(EPOCHS));
        log.append(batch(T0 + 10, 2), 4);
        assertEquals("0\n2\n0 0\n4 5\n", text(EPOCHS));
        log.close();
        PartitionLog reopened = open();
        assertEquals("0\n2\n0 0\n4 5\n", text(EPOCHS));
        assertEquals(4, reopened.maxTimestamp().leaderEpoch());
    }

    @Test
    public void truncatingAwayEverySegmentEmptiesTheCheckpoint() throws Exception {
        PartitionLog log = open("segment.bytes", "300");
        for (int i = 0; i < 8; i++) {
            log.append(batch(T0, 2), i);
        }
        log.deleteRecordsBefore(12);
        log.enforceRetention(T0);
        assertEquals("0\n2\n6 12\n7 14\n", text(EPOCHS));
        log.truncateTo(3);
        assertEquals("0\n0\n", text(EPOCHS));
        log.append(batch(T0, 1), 9);
        assertEquals("0\n1\n9 3\n", text(EPOCHS));
    }

    @Test
    public void deleteRecordsBeforeMovesTheFirstEpochToTheLogStart() throws Exception {
        PartitionLog log = epochs0013();
        log.deleteRecordsBefore(3);
        assertEquals("0\n3\n0 3\n1 5\n3 6\n", text(EPOCHS));
        log.deleteRecordsBefore(5);
        assertEquals("0\n2\n1 5\n3 6\n", text(EPOCHS));
        log.deleteRecordsBefore(7);
        assertEquals("0\n1\n3 7\n", text(EPOCHS));
        log.close();
        open();
        assertEquals("0\n1\n3 7\n", text(EPOCHS));
    }

    @Test
    public void retentionMovesTheFirstEpochToTheNewLogStart() throws Exception {
        PartitionLog log = open("segment.bytes", "500", "retention.bytes", "1000");
        for (int i = 0; i < 30; i++) {
            log.append(batch(T0, 2), i / 4);
        }
        assertEquals(8, entries(EPOCHS).size());
        assertTrue(log.enforceRetention(T0) > 0);
        long start = log.logStartOffset();
        assertTrue(start > 0);
        List<String> entries = entries(EPOCHS);
        int epoch = (int) (start / 2) / 4;
        assertEquals(epoch + " " + start, entries.get(0));
        assertEquals(8 - epoch, entries.size());
        assertEquals("7 56", entries.get(entries.size() - 1));
    }

    @Test
    public void aMissingOrUnreadableEpochCheckpointIsRebuiltFromTheBatches() throws Exception {
        PartitionLog log = open(SMALL);
        for (int i = 0; i < 40; i++) {
            log.append(batch(T0 + i, 1 + i % 3), i / 7);
        }
        log.deleteRecordsBefore(9);
        log.truncateTo(log.logEndOffset() - 3);
        log.close();
        assertTrue(files(".log").size() > 3);
        String expected = text(EPOCHS);
        assertEquals(6, entries(EPOCHS).size());

        Files.delete(dir.resolve(EPOCHS));
        open(SMALL).close();
        assertEquals(expected, text(EPOCHS));

        Files.writeString(dir.resolve(EPOCHS), "0\n2\n0 0\n"); // count does not match
        open(SMALL).close();
        assertEquals(expected, text(EPOCHS));

        Files.writeString(dir.resolve(EPOCHS), "0\n2\n3 4\n1 9\n"); // epochs go backwards
        simulateUncleanShutdown();
        open(SMALL).close();
        assertEquals(expected, text(EPOCHS));
    }

    @Test
    public void anUncleanOpenRelearnsTheEpochsOfRecoveredSegmentsAndCutsStaleOnes() throws Exception {
        PartitionLog log = epochs0013();
        log.close();
        Files.writeString(dir.resolve(EPOCHS), "0\n2\n0 0\n1 5\n"); // behind: epoch 3 is missing
        simulateUncleanShutdown();
        PartitionLog reopened = open();
        assertEquals("0\n3\n0 0\n1 5\n3 6\n", text(EPOCHS));
        reopened.close();

        Files.writeString(dir.resolve(EPOCHS), "0\n4\n0 0\n1 5\n3 6\n7 9\n"); // ahead: beyond the log end
        simulateUncleanShutdown();
        open().close();
        assertEquals("0\n3\n0 0\n1 5\n3 6\n", text(EPOCHS));

        // At the log end an epoch may have no batch yet (a new leader's): it stays, clean or not.
        Files.writeString(dir.resolve(EPOCHS), "0\n4\n0 0\n1 5\n3 6\n7 8\n");
        open().close();
        assertEquals("0\n4\n0 0\n1 5\n3 6\n7 8\n", text(EPOCHS));
        simulateUncleanShutdown();
        open().close();
        assertEquals("0\n4\n0 0\n1 5\n3 6\n7 8\n", text(EPOCHS));

        Path segment = files(".log").get(0);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() - 5); // the epoch 3 batch is torn
        }
        simulateUncleanShutdown();
        PartitionLog cut = open();
        assertEquals(6, cut.logEndOffset());
        assertEquals("0\n2\n0 0\n1 5\n", text(EPOCHS));
    }

    @Test
    public void theRecoveryPointAdvancesOnRollFlushAndClose() throws Exception {
        PartitionLog log = open(SMALL);
        assertFalse("an empty new log needs no recovery point", Files.exists(dir.resolve(RECOVERY_POINT)));
        for (int i = 0; i < 20; i++) {
            log.append(batch(T0 + i, 2), 0);
        }
        List<Path> logs = files(".log");
        assertTrue(logs.size() > 2);
        long activeBase = baseOffsetOf(logs.get(logs.size() - 1));
        ((SegmentedPartitionLog) log).awaitSealedFlushed(); // a roll's fsync runs on the engine's flusher
        assertEquals("a roll fsyncs the old segment", recoveryPointText(activeBase), text(RECOVERY_POINT));
        assertEquals(activeBase, ((SegmentedPartitionLog) log).recoveryPoint());
        assertFalse(Files.exists(dir.resolve(RECOVERY_POINT + ".tmp")));
        log.flush();
        assertEquals(40, ((SegmentedPartitionLog) log).recoveryPoint());
        log.close();
        assertEquals(recoveryPointText(40), text(RECOVERY_POINT));

        PartitionLog flushing = open(config("segment.bytes", "600", "flush.messages", "1"));
        assertEquals(recoveryPointText(40), text(RECOVERY_POINT));
        flushing.append(batch(T0, 1), 0);
        assertEquals("flush.messages fsyncs each append", 41, ((SegmentedPartitionLog) flushing).recoveryPoint());
        assertEquals("the file moves only with the segment", recoveryPointText(40), text(RECOVERY_POINT));
        flushing.truncateTo(30);
        assertEquals("a truncation takes it back", recoveryPointText(30), text(RECOVERY_POINT));
        assertEquals(30, ((SegmentedPartitionLog) flushing).recoveryPoint());
    }

    /**
     * Writes a log of {@link #SMALL} segments and closes it.
     *
     * @return the position, base offset and last offset of the second batch of segment
     *         {@code segmentIndex}, and the log end offset
     */
    private long[] fillAndPickBatch(int segmentIndex) throws Exception {
        PartitionLog log = open(SMALL);
        for (int i = 0; i < 40; i++) {
            log.append(batch(T0 + i, 1 + i % 3), i / 10);
        }
        long end = log.logEndOffset();
        log.close();
        List<Path> logs = files(".log");
        assertTrue(logs.size() > segmentIndex + 2);
        try (FileRecords records = FileRecords.open(logs.get(segmentIndex).toFile(), false)) {
            List<FileChannelRecordBatch> batches = new ArrayList<>();
            records.batches().forEach(batches::add);
            FileChannelRecordBatch victim = batches.get(1);
            return new long[] {victim.position(), victim.baseOffset(), victim.lastOffset(), end};
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x5a);
        }
    }

    @Test
    public void anUncleanOpenValidatesEverySegmentFromTheRecoveryPointOn() throws Exception {
        long[] victim = fillAndPickBatch(2);
        List<Path> logs = files(".log");
        int segmentCount = logs.size();
        byte[] kept = java.util.Arrays.copyOf(Files.readAllBytes(logs.get(2)), (int) victim[0]);
        long recoveryPoint = baseOffsetOf(logs.get(1)) + 1;
        Files.writeString(dir.resolve(RECOVERY_POINT), recoveryPointText(recoveryPoint));
        flipByte(logs.get(2), victim[0] + RecordBatchLayout.HEADER_SIZE + 1); // a record byte: only the CRC tells
        simulateUncleanShutdown();

        PartitionLog log = open(SMALL);
        assertEquals("cut at the corrupt batch of an older segment", victim[1], log.logEndOffset());
        assertEquals(3, files(".log").size());
        assertTrue(segmentCount > 3);
        assertEquals(kept.length, Files.size(logs.get(2)));
        List<MutableRecordBatch> last = batches(log.read(victim[1] - 1, 1, Long.MAX_VALUE));
        assertEquals(victim[1] - 1, last.get(0).lastOffset());
        assertEquals("the new recovery point is no later than what was fsynced",
                recoveryPointText(baseOffsetOf(logs.get(2))), text(RECOVERY_POINT));
        List<String> epochs = entries(EPOCHS);
        assertTrue(Long.parseLong(epochs.get(epochs.size() - 1).split(" ")[1]) < victim[1]);
        assertEquals(victim[1], log.append(batch(T0, 1), 9).firstOffset());
        log.close();
        List<Long> offsets = verifyKafkaFormat();
        assertEquals(victim[1] + 1, offsets.size());
    }

    @Test
    public void segmentsBeforeTheRecoveryPointAreTrustedAsTheyAre() throws Exception {
        long[] victim = fillAndPickBatch(1);
        List<Path> logs = files(".log");
        long end = victim[3];
        flipByte(logs.get(1), victim[0] + RecordBatchLayout.HEADER_SIZE + 1);
        simulateUncleanShutdown();
        assertEquals(recoveryPointText(end), text(RECOVERY_POINT));
        PartitionLog log = open(SMALL);
        assertEquals("only the segment of the recovery point is scanned", end, log.logEndOffset());
        assertEquals(logs.size(), files(".log").size());
    }

    @Test
    public void withoutARecoveryPointAnUncleanOpenValidatesEverySegment() throws Exception {
        long[] victim = fillAndPickBatch(1);
        Files.delete(dir.resolve(RECOVERY_POINT));
        flipByte(files(".log").get(1), victim[0] + RecordBatchLayout.HEADER_SIZE + 1);
        simulateUncleanShutdown();
        PartitionLog log = open(SMALL);
        assertEquals(victim[1], log.logEndOffset());
        assertEquals(2, files(".log").size());
        log.close();
        assertEquals(recoveryPointText(victim[1]), text(RECOVERY_POINT));
    }

    @Test
    public void aMalformedRecoveryPointCountsAsNone() throws Exception {
        long[] victim = fillAndPickBatch(1);
        Files.writeString(dir.resolve(RECOVERY_POINT), "0\n1\n" + Long.MAX_VALUE + "\n"); // not topic partition offset
        flipByte(files(".log").get(1), victim[0] + RecordBatchLayout.HEADER_SIZE + 1);
        simulateUncleanShutdown();
        assertEquals(victim[1], open(SMALL).logEndOffset());
    }
}
