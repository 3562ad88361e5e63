package io.samsa.storage.format;

import static io.samsa.storage.format.PartitionLogCompactionContractTest.COMPACT;
import static io.samsa.storage.format.PartitionLogCompactionContractTest.assertLatestValues;
import static io.samsa.storage.format.PartitionLogCompactionContractTest.assertValuesNameTheirOffsets;
import static io.samsa.storage.format.PartitionLogCompactionContractTest.compact;
import static io.samsa.storage.format.PartitionLogCompactionContractTest.fill;
import static io.samsa.storage.format.PartitionLogCompactionContractTest.records;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.Test;

import io.samsa.api.storage.PartitionLog;

/**
 * Interrupted compactions. Opening a log whose compaction a crash interrupted: leftover
 * {@code .cleaned} files are dropped and the old segments kept; a committed {@code .swap} is
 * completed whatever step of the swap the crash hit (the leftovers are made from a real
 * compaction of the same data). A close stops a cleaning, a truncation voids one, and neither
 * loses a record.
 */
public abstract class CompactionRecoveryContractTest extends PartitionLogTestSupport {

    private Path original;
    private Path compacted;

    /**
     * Writes the same log into {@code dir} and into a second directory: records, a compaction,
     * more records; then compacts the second one again, which merges the small segments the first
     * compaction left. Both logs are closed.
     */
    private void prepare() throws Exception {
        original = dir;
        compacted = tmp.getRoot().toPath().resolve("compacted").resolve(TP.topic() + "-" + TP.partition());
        for (Path d : List.of(original, compacted)) {
            dir = d;
            PartitionLog log = open(COMPACT);
            fill(log, 0, 60, 4);
            compact(log, T0 + 100);
            fill(log, 60, 120, 4);
            if (d == compacted) {
                compact(log, T0 + 200);
            }
            log.close();
        }
        dir = original;
    }

    /** The compacted segment files that differ from the original ones (the groups swapped in). */
    private List<Path> swappedIn() throws Exception {
        try (Stream<Path> s = Files.list(compacted)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.(log|index|timeindex)"))
                    .filter(p -> !sameFile(p, original.resolve(p.getFileName()))).sorted().toList();
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void copyAs(Path compactedFile, String tail) throws Exception {
        Files.copy(compactedFile, original.resolve(compactedFile.getFileName() + tail));
    }

    private byte[] readAllOf(Path logDir) throws Exception {
        try (PartitionLog log = engine().open(TP, logDir, config(COMPACT))) {
            return readAll(log);
        }
    }

    /** Opening {@code dir} gives exactly the log {@code expected} was read from, with no leftovers and valid indexes. */
    private void assertOpensAs(byte[] expected) throws Exception {
        PartitionLog log = open(COMPACT);
        assertArrayEquals(expected, readAll(log));
        log.close();
        assertLeftoversGone();
        verifyKafkaFormat();
    }

    private void assertLeftoversGone() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.toString().endsWith(".cleaned") || p.toString().endsWith(".swap"))
                    .toList());
        }
    }

    @Test
    public void aCleaningThatNeverCommittedLeavesTheOldSegments() throws Exception {
        prepare();
        List<Path> cleaned = swappedIn();
        assertTrue("the compaction rewrote segments", cleaned.size() >= 3);
        long recordsBefore = countRecords(original);
        byte[] before = readAllOf(original);
        for (Path f : cleaned) {
            // a crash during the rename to .swap: some index files renamed, the log file not
            copyAs(f, f.toString().endsWith(".log") ? SegmentSwap.CLEANED : SegmentSwap.SWAP);
        }
        assertOpensAs(before);
        assertEquals(recordsBefore, countRecords(original));
    }

    @Test
    public void aCommittedSwapIsCompletedWithTheOldSegmentsStillThere() throws Exception {
        prepare();
        byte[] expected = readAllOf(compacted);
        assertTrue("the second compaction merged segments", compactedLogCount() < files(".log").size());
        for (Path f : swappedIn()) {
            copyAs(f, SegmentSwap.SWAP);
        }
        PartitionLog log = open(COMPACT);
        assertArrayEquals(expected, readAll(log));
        log.close();
        assertLeftoversGone();
        assertEquals(files(".log").size(), compactedLogCount());
        verifyKafkaFormat();
    }

    @Test
    public void aSwapInterruptedWhileOldSegmentsWereDeletedIsCompleted() throws Exception {
        prepare();
        byte[] expected = readAllOf(compacted);
        List<Path> swapped = swappedIn();
        for (Path f : swapped) {
            copyAs(f, SegmentSwap.SWAP);
        }
        // the group's old segment files were partly unlinked before the crash
        Path firstLog = swapped.stream().filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        long groupStart = baseOffsetOf(firstLog);
        long groupEnd = nextSegmentBase(firstLog);
        List<Path> group = files(".log").stream().filter(p -> baseOffsetOf(p) >= groupStart
                && baseOffsetOf(p) < groupEnd).toList();
        assertTrue("the group merged segments: " + group, group.size() > 1);
        Files.delete(group.get(0));
        Files.delete(original.resolve(group.get(1).getFileName().toString().replace(".log", ".index")));
        assertOpensAs(expected);
    }

    @Test
    public void aSwapInterruptedWhileRenamingToFinalNamesIsCompleted() throws Exception {
        prepare();
        byte[] expected = readAllOf(compacted);
        List<Path> swapped = swappedIn();
        Path firstLog = swapped.stream().filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        String stem = firstLog.getFileName().toString().replace(".log", "");
        // old files of the group gone, the new offset index already renamed, the rest still .swap
        try (Stream<Path> s = Files.list(original)) {
            for (Path p : s.filter(f -> f.getFileName().toString().matches("\\d{20}\\..*")).toList()) {
                long base = baseOffsetOf(p);
                if (base >= baseOffsetOf(firstLog) && base < nextSegmentBase(firstLog)) {
                    Files.delete(p);
                }
            }
        }
        Files.copy(compacted.resolve(stem + ".index"), original.resolve(stem + ".index"));
        copyAs(compacted.resolve(stem + ".timeindex"), SegmentSwap.SWAP);
        copyAs(firstLog, SegmentSwap.SWAP);
        for (Path f : swapped) {
            if (!f.getFileName().toString().startsWith(stem)) {
                copyAs(f, SegmentSwap.SWAP);
            }
        }
        assertOpensAs(expected);
    }

    @Test
    public void aSwapWithoutAnyBatchIsDiscarded() throws Exception {
        prepare();
        byte[] before = readAllOf(original);
        Path first = files(".log").get(0);
        Files.write(first.resolveSibling(first.getFileName() + SegmentSwap.SWAP), new byte[] {1, 2, 3});
        assertOpensAs(before);
        assertFalse(Files.exists(first.resolveSibling(first.getFileName() + SegmentSwap.CLEANED)));
    }

    @Test
    public void closingDuringACleaningStopsItAndLosesNothing() throws Exception {
        PartitionLog log = open("cleanup.policy", "compact", "segment.bytes", "3000");
        fill(log, 0, 1200, 30);
        log.enforceRetention(T0 + 100);
        log.close(); // waits for the cleaning to stop, or to finish
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.toString().endsWith(".cleaned") || p.toString().endsWith(".swap"))
                    .toList());
        }
        verifyKafkaFormat();
        PartitionLog reopened = open("cleanup.policy", "compact", "segment.bytes", "3000");
        assertLatestValues(records(reopened), 30, 1200);
        assertEquals(1200, reopened.logEndOffset());
    }

    /** Opens the log in {@code dir} with a cleaner executor that only queues the cleanings. */
    private SegmentedPartitionLog openQueueing(List<Runnable> queued) throws Exception {
        FileAccess access = ((SegmentedStorageEngine) engine()).files();
        return SegmentedPartitionLog.open(TP, dir, config(COMPACT), () -> T0, access, queued::add);
    }

    @Test
    public void aTruncationWhileACleaningWaitsVoidsItsSwap() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        try (SegmentedPartitionLog log = openQueueing(queued)) {
            fill(log, 0, 40, 3);
            log.enforceRetention(T0 + 100);
            assertEquals("one cleaning queued", 1, queued.size());
            log.enforceRetention(T0 + 100);
            assertEquals("never two at once", 1, queued.size());
            log.truncateTo(20);
            fill(log, 20, 30, 3);
            queued.remove(0).run();
            assertEquals("nothing swapped in", 30, records(log).size());
            assertValuesNameTheirOffsets(records(log));
            try (var s = Files.list(dir)) {
                assertFalse(s.anyMatch(p -> p.toString().endsWith(".cleaned") || p.toString().endsWith(".swap")));
            }
            log.enforceRetention(T0 + 200);
            queued.remove(0).run();
            assertTrue("the next cleaning works", records(log).size() < 30);
            assertLatestValues(records(log), 3, 30);
        }
        verifyKafkaFormat();
    }

    @Test
    public void closingDropsACleaningStillQueued() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        SegmentedPartitionLog log = openQueueing(queued);
        fill(log, 0, 40, 3);
        byte[] before = readAll(log);
        log.enforceRetention(T0 + 100);
        log.close(); // does not wait for a cleaning that has not started
        queued.remove(0).run();
        try (SegmentedPartitionLog reopened = openQueueing(queued)) {
            assertArrayEquals("the dropped cleaning did nothing", before, readAll(reopened));
        }
    }

    /** The base offset of the compacted segment after {@code compactedLog}, i.e. where its group ended. */
    private long nextSegmentBase(Path compactedLog) throws Exception {
        try (Stream<Path> s = Files.list(compacted)) {
            return s.filter(p -> p.toString().endsWith(".log")).mapToLong(PartitionLogTestSupport::baseOffsetOf)
                    .filter(b -> b > baseOffsetOf(compactedLog)).min().orElseThrow();
        }
    }

    private long countRecords(Path logDir) throws Exception {
        try (PartitionLog log = engine().open(TP, logDir, config(COMPACT))) {
            return records(log).size();
        }
    }

    private long compactedLogCount() throws Exception {
        try (Stream<Path> s = Files.list(compacted)) {
            return s.filter(p -> p.toString().endsWith(".log")).count();
        }
    }
}
