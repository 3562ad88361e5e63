package io.samsa.storage.format;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.Test;

import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.FollowerAppendException;
import io.samsa.api.storage.FollowerAppendException.Problem;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.RecordBatchLayout;

/**
 * What a follower needs of every engine's log: appends of the leader's batches exactly as
 * received, refused whole when a batch is corrupt, out of place or of an older leader epoch;
 * an epoch a new leader starts before its first batch; and starting over, empty, at the
 * leader's log start. Each survives a close and a crash (a {@link #crashImage}).
 */
public abstract class FollowerLogContractTest extends PartitionLogTestSupport {

    private static final String EPOCHS = "leader-epoch-checkpoint";
    private static final String[] SMALL = {"segment.bytes", "600", "index.interval.bytes", "100",
        "segment.index.bytes", "1024"};

    /** A batch as the leader stores and sends it: {@code count} records from {@code base}, stamped with {@code epoch}. */
    private static ByteBuffer leaderBatch(long base, int count, int epoch) {
        ByteBuffer b = batch(T0 + base, count);
        b.putLong(RecordBatchLayout.BASE_OFFSET, base);
        b.putInt(RecordBatchLayout.PARTITION_LEADER_EPOCH, epoch);
        return b;
    }

    private static String epochs(Path partitionDir) throws IOException {
        return Files.readString(partitionDir.resolve(EPOCHS));
    }

    /** Offsets 0-1 in epoch 0, 2-4 in epoch 1 (one call), 5-7 in epoch 3, as a follower copies them. */
    private PartitionLog replicated() throws IOException {
        PartitionLog log = open();
        log.appendWithOffsets(concat(leaderBatch(0, 2, 0), leaderBatch(2, 3, 1)));
        log.appendWithOffsets(leaderBatch(5, 3, 3));
        return log;
    }

    /** 20 batches of two records in {@link #SMALL} segments, epochs 0 to 3, as a follower copies them. */
    private PartitionLog replicatedInSegments() throws IOException {
        PartitionLog log = open(SMALL);
        for (int i = 0; i < 20; i++) {
            log.appendWithOffsets(leaderBatch(2L * i, 2, i / 5));
        }
        assertTrue("several segments", files(".log").size() > 2);
        return log;
    }

    private static FollowerAppendException refused(PartitionLog log, ByteBuffer batches, Problem problem, long offset) {
        FollowerAppendException e = assertThrows(FollowerAppendException.class, () -> log.appendWithOffsets(batches));
        assertEquals(e.getMessage(), problem, e.problem());
        assertEquals(e.getMessage(), offset, e.offset());
        assertEquals(TP, e.topicPartition());
        assertTrue("names the partition: " + e.getMessage(), e.getMessage().contains(TP.toString()));
        assertTrue("names the offset: " + e.getMessage(), e.getMessage().contains("offset " + offset));
        return e;
    }

    @Test
    public void aFollowerAppendStoresTheBatchesAsReceivedAndRecordsTheirEpochs() throws Exception {
        ByteBuffer first = concat(leaderBatch(0, 2, 0), leaderBatch(2, 3, 1));
        ByteBuffer second = leaderBatch(5, 3, 3);
        byte[] sent = concat(first, second).array();
        PartitionLog log = open();
        assertEquals(OptionalInt.empty(), log.latestEpoch());
        assertEquals(0, log.appendWithOffsets(first).firstOffset());
        assertEquals(7, log.appendWithOffsets(second).lastOffset());

        assertArrayEquals("byte for byte as the leader sent them", sent, readAll(log));
        assertEquals("0\n3\n0 0\n1 2\n3 5\n", epochs(dir));
        assertEquals(OptionalInt.of(3), log.latestEpoch());
        assertEquals(new EpochEndOffset(1, 5), log.endOffsetForEpoch(1));
        assertEquals(new EpochEndOffset(1, 5), log.endOffsetForEpoch(2));
        assertEquals(new EpochEndOffset(3, 8), log.endOffsetForEpoch(3));
    }

    @Test
    public void aNewLeaderStartsItsEpochAtTheLogEndBeforeItsFirstBatch() throws Exception {
        PartitionLog log = replicated();
        log.assignEpochStartOffset(6, 8);
        assertEquals(OptionalInt.of(6), log.latestEpoch());
        assertEquals("0\n4\n0 0\n1 2\n3 5\n6 8\n", epochs(dir));
        assertEquals(new EpochEndOffset(6, 8), log.endOffsetForEpoch(6));
        assertEquals("a follower that holds epoch 5 learns where the leader's epochs before 6 end",
                new EpochEndOffset(3, 8), log.endOffsetForEpoch(5));

        log.assignEpochStartOffset(6, 8);
        assertEquals("the latest epoch again changes nothing", "0\n4\n0 0\n1 2\n3 5\n6 8\n", epochs(dir));
        assertEquals(8, log.append(batch(T0, 2), 6).firstOffset());
        assertEquals("the first batch of the epoch starts no new entry", "0\n4\n0 0\n1 2\n3 5\n6 8\n", epochs(dir));
        assertEquals(new EpochEndOffset(6, 10), log.endOffsetForEpoch(6));
        assertEquals(new EpochEndOffset(3, 8), log.endOffsetForEpoch(3));
    }

    @Test
    public void anEpochWithNoBatchSurvivesACrashAndACloseAndReopen() throws Exception {
        PartitionLog log = replicatedInSegments();
        log.assignEpochStartOffset(7, 40);

        Path crashed = crashImage();
        assertFalse("a crash leaves no clean-shutdown marker", Files.exists(crashed.resolve(".kafka_cleanshutdown")));
        PartitionLog recovered = openAt(crashed, SMALL);
        assertEquals(40, recovered.logEndOffset());
        assertEquals(OptionalInt.of(7), recovered.latestEpoch());
        assertEquals(new EpochEndOffset(3, 40), recovered.endOffsetForEpoch(6));
        assertTrue("the file still has it: " + epochs(crashed), epochs(crashed).endsWith("3 30\n7 40\n"));
        assertEquals(40, recovered.append(batch(T0, 1), 7).firstOffset());
        assertEquals(new EpochEndOffset(7, 41), recovered.endOffsetForEpoch(7));

        log.close();
        PartitionLog reopened = open(SMALL);
        assertEquals(OptionalInt.of(7), reopened.latestEpoch());
        assertEquals(new EpochEndOffset(7, 40), reopened.endOffsetForEpoch(7));
        PartitionLog recoveredAgain = openAt(crashImage(), SMALL); // a crash of the reopened log
        assertEquals(OptionalInt.of(7), recoveredAgain.latestEpoch());
        assertEquals(new EpochEndOffset(3, 40), recoveredAgain.endOffsetForEpoch(3));
    }

    @Test
    public void assignEpochStartOffsetRefusesAnEpochBelowTheLatestOrAnOffsetOtherThanTheLogEnd() throws Exception {
        PartitionLog log = replicated();
        String before = epochs(dir);
        for (int[] bad : new int[][] {{-1, 8}, {2, 8}, {4, 7}, {4, 9}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> log.assignEpochStartOffset(bad[0], bad[1]));
            assertTrue(e.getMessage(), e.getMessage().contains(TP.toString()));
        }
        assertEquals(before, epochs(dir));
        assertEquals(OptionalInt.of(3), log.latestEpoch());
    }

    @Test
    public void aTruncationRemovesTheEpochStartedAtTheOldLogEnd() throws Exception {
        PartitionLog log = replicated();
        log.assignEpochStartOffset(6, 8);
        log.truncateTo(8); // nothing to remove but the epoch: another leader's log decides now
        assertEquals(8, log.logEndOffset());
        assertEquals(OptionalInt.of(3), log.latestEpoch());
        assertEquals("0\n3\n0 0\n1 2\n3 5\n", epochs(dir));

        log.assignEpochStartOffset(6, 8);
        log.truncateTo(100);
        assertEquals(OptionalInt.of(3), log.latestEpoch());
        log.assignEpochStartOffset(6, 8);
        log.truncateTo(5);
        assertEquals(5, log.logEndOffset());
        assertEquals("0\n2\n0 0\n1 2\n", epochs(dir));
        log.close();
        assertEquals(OptionalInt.of(1), open().latestEpoch());
    }

    @Test
    public void aBatchOfAnOlderEpochIsRefusedUntilTheLogIsTruncatedToWhereItDiverged() throws Exception {
        PartitionLog log = replicated();
        log.assignEpochStartOffset(6, 8); // led epoch 6 but wrote nothing; the next leader's log holds epoch 5 from 8
        refused(log, leaderBatch(8, 2, 5), Problem.EPOCH_DECREASED, 8);
        assertEquals(8, log.logEndOffset());

        log.truncateTo(8);
        log.appendWithOffsets(leaderBatch(8, 2, 5));
        assertEquals("0\n4\n0 0\n1 2\n3 5\n5 8\n", epochs(dir));
    }

    @Test
    public void leaderEpochsMustNotDecreaseInTheLogOrInOneAppend() throws Exception {
        PartitionLog log = replicated();
        String before = epochs(dir);
        refused(log, leaderBatch(8, 1, 2), Problem.EPOCH_DECREASED, 8);
        FollowerAppendException e = refused(log, concat(leaderBatch(8, 1, 5), leaderBatch(9, 1, 4)),
                Problem.EPOCH_DECREASED, 9);
        assertTrue(e.getMessage(), e.getMessage().contains("epoch 4"));
        assertEquals("nothing of a refused append is written", 8, log.logEndOffset());
        assertEquals(before, epochs(dir));

        log.appendWithOffsets(leaderBatch(8, 1, -1)); // never stamped by a leader: no epoch to compare
        log.appendWithOffsets(concat(leaderBatch(9, 1, 3), leaderBatch(10, 1, 4)));
        assertEquals("0\n4\n0 0\n1 2\n3 5\n4 10\n", epochs(dir));
    }

    @Test
    public void aCorruptBatchRefusesTheWholeAppend() throws Exception {
        PartitionLog log = open();
        ByteBuffer damaged = leaderBatch(2, 2, 0);
        int recordByte = RecordBatchLayout.HEADER_SIZE + 3;
        damaged.put(recordByte, (byte) (damaged.get(recordByte) ^ 0x5a));
        ByteBuffer append = concat(leaderBatch(0, 2, 0), damaged, leaderBatch(4, 1, 1));
        FollowerAppendException e = refused(log, append, Problem.CORRUPT_BATCH, 2);
        assertTrue(e.getMessage(), e.getMessage().contains("CRC"));
        assertEquals("the buffer is left as it was", 0, append.position());
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(0, log.read(0, 1 << 20, Long.MAX_VALUE).sizeInBytes());
        assertFalse("no epoch of the refused batches was recorded", Files.exists(dir.resolve(EPOCHS)));

        ByteBuffer torn = concat(leaderBatch(0, 2, 0), leaderBatch(2, 2, 0));
        torn.limit(torn.limit() - 7);
        refused(log, torn, Problem.CORRUPT_BATCH, 2);
        assertEquals(0, log.logEndOffset());

        log.appendWithOffsets(concat(leaderBatch(0, 2, 0), leaderBatch(2, 2, 0), leaderBatch(4, 1, 1)));
        assertEquals(5, log.logEndOffset());
        log.close();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), verifyKafkaFormat());
    }

    @Test
    public void offsetsMustContinueTheLogAndEachOther() throws Exception {
        PartitionLog log = open();
        log.appendWithOffsets(leaderBatch(0, 2, 0));
        refused(log, leaderBatch(1, 2, 0), Problem.OFFSET_MISMATCH, 1);
        FollowerAppendException gap = refused(log, leaderBatch(5, 1, 0), Problem.OFFSET_MISMATCH, 5);
        assertTrue(gap.getMessage(), gap.getMessage().contains("log end offset 2"));
        refused(log, concat(leaderBatch(2, 3, 0), leaderBatch(4, 1, 0)), Problem.OFFSET_MISMATCH, 4);
        refused(log, concat(leaderBatch(2, 1, 0), leaderBatch(6, 1, 0)), Problem.OFFSET_MISMATCH, 6);
        assertEquals(2, log.logEndOffset());
        assertEquals(List.of(0L), baseOffsets(log.read(0, 1 << 20, Long.MAX_VALUE)));
    }

    @Test
    public void aCompactedLogTakesTheGapsTheLeadersCleanerLeft() throws Exception {
        PartitionLog log = open("cleanup.policy", "compact");
        log.appendWithOffsets(leaderBatch(0, 2, 0));
        log.appendWithOffsets(concat(leaderBatch(5, 1, 0), leaderBatch(9, 2, 1)));
        assertEquals(11, log.logEndOffset());
        assertEquals(List.of(0L, 5L, 9L), baseOffsets(log.read(0, 1 << 20, Long.MAX_VALUE)));
        assertEquals(List.of(5L, 9L), baseOffsets(log.read(3, 1 << 20, Long.MAX_VALUE)));
        refused(log, leaderBatch(10, 1, 1), Problem.OFFSET_MISMATCH, 10);
        log.close();
        assertEquals(List.of(0L, 1L, 5L, 9L, 10L), verifyKafkaFormat());
    }

    @Test
    public void truncateFullyAndStartAtBeyondTheEndLeavesAnEmptyLogThere() throws Exception {
        PartitionLog log = replicatedInSegments();
        log.deleteRecordsBefore(3);
        log.truncateFullyAndStartAt(1000);

        assertEquals(1000, log.logStartOffset());
        assertEquals(1000, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(List.of(1000L), files(".log").stream().map(PartitionLogTestSupport::baseOffsetOf).toList());
        assertEquals(1, files(".index").size());
        assertEquals(1, files(".timeindex").size());
        assertEquals(OptionalInt.empty(), log.latestEpoch());
        assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(3));
        assertEquals("0\n0\n", epochs(dir));
        assertEquals("0\n1000\n", Files.readString(dir.resolve("log-start-offset")));
        assertEquals("0\n1\n" + TP.topic() + " " + TP.partition() + " 1000\n", Files.readString(dir.resolve("recovery-point")));
        assertEquals(0, log.read(1000, 1 << 20, Long.MAX_VALUE).sizeInBytes());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(5, 1 << 20, Long.MAX_VALUE));
        assertNull(log.maxTimestamp());
        assertNull(log.offsetForTimestamp(0));

        log.appendWithOffsets(leaderBatch(1000, 2, 9));
        assertEquals("0\n1\n9 1000\n", epochs(dir));
        assertEquals(1002, log.append(batch(T0, 1), 9).firstOffset());
        log.close();
        PartitionLog reopened = open(SMALL);
        assertEquals(1000, reopened.logStartOffset());
        assertEquals(1003, reopened.logEndOffset());
        assertEquals(OptionalInt.of(9), reopened.latestEpoch());
        assertEquals(List.of(1000L, 1002L), baseOffsets(reopened.read(1000, 1 << 20, Long.MAX_VALUE)));
        reopened.close();
        assertEquals(List.of(1000L, 1001L, 1002L), verifyKafkaFormat());
    }

    @Test
    public void truncateFullyAndStartAtMayStartAtOrBelowTheOldSegments() throws Exception {
        PartitionLog log = open();
        for (int i = 0; i < 5; i++) {
            log.append(batch(T0 + i, 2), 0);
        }
        log.truncateFullyAndStartAt(0); // the new segment has the old one's file name
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(0, log.append(batch(T0, 2), 1).firstOffset());

        log.deleteRecordsBefore(1);
        log.truncateFullyAndStartAt(4);
        assertEquals(4, log.logStartOffset());
        assertEquals(4, log.logEndOffset());
        assertEquals(4, log.append(batch(T0, 2), 2).firstOffset());
        assertEquals("0\n1\n2 4\n", epochs(dir));
        log.close();
        assertEquals(List.of(4L, 5L), verifyKafkaFormat());
    }

    @Test
    public void aLogStartedOverSurvivesACrashAtAnyStep() throws Exception {
        PartitionLog log = replicatedInSegments();
        Path beforeStartingOver = crashImage();
        log.truncateFullyAndStartAt(1000);
        Path beforeTheNewSegment = crashImage();
        log.appendWithOffsets(leaderBatch(1000, 2, 9));

        PartitionLog recovered = openAt(crashImage(), SMALL);
        assertEquals(1000, recovered.logStartOffset());
        assertEquals(1002, recovered.logEndOffset());
        assertEquals(OptionalInt.of(9), recovered.latestEpoch());
        assertEquals(List.of(1000L), baseOffsets(recovered.read(1000, 1 << 20, Long.MAX_VALUE)));

        // The checkpoints name the new start before the new segment is created.
        try (var files = Files.list(beforeTheNewSegment)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().startsWith("00000000000000001000.")) {
                    Files.delete(f);
                }
            }
        }
        PartitionLog empty = openAt(beforeTheNewSegment, SMALL);
        assertEquals(1000, empty.logStartOffset());
        assertEquals(1000, empty.logEndOffset());
        assertEquals(OptionalInt.empty(), empty.latestEpoch());

        // The old segments go newest first: a crash among them leaves a prefix of the old log.
        List<Path> logs;
        try (var files = Files.list(beforeStartingOver)) {
            logs = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        Path newest = logs.get(logs.size() - 1);
        Files.delete(newest);
        PartitionLog prefix = openAt(beforeStartingOver, SMALL);
        long end = baseOffsetOf(newest);
        assertEquals(0, prefix.logStartOffset());
        assertEquals(end, prefix.logEndOffset());
        assertEquals(List.of(end - 2), baseOffsets(prefix.read(end - 2, 1 << 20, Long.MAX_VALUE)));
        assertEquals("the epochs of the batches left, none of the segment gone",
                OptionalInt.of((int) ((end - 2) / 2 / 5)), prefix.latestEpoch());
    }

    @Test
    public void anEpochStartedOnALogStartedOverSurvivesAReopen() throws Exception {
        PartitionLog log = replicated();
        log.truncateFullyAndStartAt(1000);
        log.assignEpochStartOffset(9, 1000);
        log.close();
        PartitionLog reopened = open();
        assertEquals(1000, reopened.logStartOffset());
        assertEquals(OptionalInt.of(9), reopened.latestEpoch());
        assertEquals(new EpochEndOffset(9, 1000), reopened.endOffsetForEpoch(9));
    }

    @Test
    public void truncateFullyAndStartAtRefusesANegativeOffset() throws Exception {
        PartitionLog log = replicated();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.truncateFullyAndStartAt(-1));
        assertTrue(e.getMessage(), e.getMessage().contains(TP.toString()));
        assertEquals(8, log.logEndOffset());
        assertEquals(List.of(0L, 2L, 5L), baseOffsets(log.read(0, 1 << 20, Long.MAX_VALUE)));
    }
}
