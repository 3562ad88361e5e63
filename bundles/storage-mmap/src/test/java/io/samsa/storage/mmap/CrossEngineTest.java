package io.samsa.storage.mmap;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.Test;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;
import io.samsa.api.storage.TimestampOffset;
import io.samsa.storage.filechannel.FileChannelStorageEngine;
import io.samsa.storage.format.PartitionLogTestSupport;

/**
 * The FileChannel and mmap engines write the same files and each reads what the other wrote,
 * after a clean close and after a crash.
 */
public class CrossEngineTest extends PartitionLogTestSupport {

    private static final LogConfig SMALL = config("segment.bytes", "1500", "index.interval.bytes", "200",
            "segment.index.bytes", "1024");

    private final StorageEngine fileChannel = new FileChannelStorageEngine();
    private final StorageEngine mmap = new MmapStorageEngine();

    @Override
    protected StorageEngine engine() {
        return mmap;
    }

    /** Appends of assorted batches, a DeleteRecords and a follower truncation. */
    private static void writeHistory(PartitionLog log, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            log.append(i % 5 == 0 ? batchWithTimestamps(T0 + 10 * i, T0 + 10 * i + 7, T0 + 10 * i + 3)
                    : batch(T0 + 10 * i, 1 + i % 4), i / 10);
            if (i == from + 25) {
                log.deleteRecordsBefore(log.logStartOffset() + 9);
            }
            if (i == from + 40) {
                log.truncateTo(log.logEndOffset() - 6);
            }
        }
    }

    private PartitionLog open(StorageEngine engine, Path where, LogConfig config) throws IOException {
        return engine.open(TP, where, config);
    }

    @Test
    public void bothEnginesWriteTheSameFilesByteForByte() throws Exception {
        Path a = tmp.newFolder("filechannel").toPath().resolve("orders-3");
        Path b = tmp.newFolder("mmap").toPath().resolve("orders-3");
        for (var pair : List.of(List.of(fileChannel, a), List.of(mmap, b))) {
            PartitionLog log = open((StorageEngine) pair.get(0), (Path) pair.get(1), SMALL);
            writeHistory(log, 0, 80);
            log.close();
        }
        List<String> names = fileNames(a);
        assertEquals(names, fileNames(b));
        assertTrue(names.size() > 10);
        for (String name : names) {
            assertArrayEquals(name, Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)));
        }
    }

    @Test
    public void mmapReadsWhatFileChannelWroteAndTheReverse() throws Exception {
        readsWhatTheOtherWrote(fileChannel, mmap);
    }

    @Test
    public void fileChannelReadsWhatMmapWrote() throws Exception {
        readsWhatTheOtherWrote(mmap, fileChannel);
    }

    private void readsWhatTheOtherWrote(StorageEngine writer, StorageEngine reader) throws Exception {
        PartitionLog written = open(writer, dir, SMALL);
        writeHistory(written, 0, 70);
        byte[] all = readAll(written);
        List<TimestampOffset> lookups = lookups(written);
        long start = written.logStartOffset();
        long end = written.logEndOffset();
        written.close();

        PartitionLog read = open(reader, dir, SMALL);
        assertEquals(start, read.logStartOffset());
        assertEquals(end, read.logEndOffset());
        assertArrayEquals(all, readAll(read));
        assertEquals(lookups, lookups(read));
        writeHistory(read, 70, 130);
        byte[] more = readAll(read);
        read.close();

        PartitionLog back = open(writer, dir, SMALL);
        assertArrayEquals(more, readAll(back));
        back.close();
        verifyKafkaFormat();
    }

    @Test
    public void mmapRecoversWhatFileChannelLeftInACrash() throws Exception {
        recoversTheOthersCrash(fileChannel, mmap);
    }

    @Test
    public void fileChannelRecoversWhatMmapLeftInACrash() throws Exception {
        recoversTheOthersCrash(mmap, fileChannel);
    }

    /**
     * The writer's directory is copied while the log is open (as a crash leaves it: no
     * clean-shutdown marker, preallocated indexes, with mmap a zero tail), and a torn batch is
     * added; the other engine opens the copy.
     */
    private void recoversTheOthersCrash(StorageEngine writer, StorageEngine reader) throws Exception {
        LogConfig config = config("segment.bytes", "20000", "index.interval.bytes", "200", "segment.index.bytes", "1024");
        PartitionLog written = open(writer, dir, config);
        writeHistory(written, 0, 90);
        written.flush();
        byte[] all = readAll(written);
        long end = written.logEndOffset();
        Path crash = tmp.newFolder("crash").toPath().resolve("orders-3");
        MappedSegmentTest.copyDirectory(dir, crash);
        written.close();
        List<Path> logs = sorted(crash, ".log");
        Path active = logs.get(logs.size() - 1);
        long activeBytes = dataBytes(active, written);
        try (var ch = java.nio.channels.FileChannel.open(active, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer torn = batch(T0, 4);
            torn.putLong(0, end);
            torn.limit(torn.limit() / 2);
            ch.write(torn, activeBytes);
        }

        dir = crash;
        PartitionLog recovered = open(reader, crash, config);
        assertEquals(end, recovered.logEndOffset());
        assertArrayEquals(all, readAll(recovered));
        assertEquals(end, recovered.append(batch(T0 + 5000, 2), 9).firstOffset());
        recovered.close();
        assertEquals("the torn tail (and any zero tail) is cut", activeBytes + batch(T0 + 5000, 2).remaining(),
                Files.size(active));
        verifyKafkaFormat();
    }

    /** The bytes of the active segment's batches: the log's size minus the sealed segments'. */
    private long dataBytes(Path active, PartitionLog log) throws IOException {
        long sealed = 0;
        for (Path p : sorted(dir, ".log")) {
            if (!p.getFileName().equals(active.getFileName())) {
                sealed += Files.size(p);
            }
        }
        return log.sizeInBytes() - sealed;
    }

    private static List<TimestampOffset> lookups(PartitionLog log) throws IOException {
        List<TimestampOffset> out = new ArrayList<>();
        for (long t = T0; t < T0 + 1400; t += 37) {
            out.add(log.offsetForTimestamp(t));
        }
        out.add(log.maxTimestamp());
        return out;
    }

    private static List<String> fileNames(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Path> sorted(Path d, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }
}
