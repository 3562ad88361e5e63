package io.samsa.storage.mmap;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.Test;

import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogTestSupport;

/** What only the mmap engine does: space mapped ahead of appends, and explicit unmapping under readers. */
public class MappedSegmentTest extends PartitionLogTestSupport {

    private final CountingUnmapper unmapper = new CountingUnmapper();

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine(unmapper);
    }

    @Test
    public void aSliceBeingSentKeepsItsRegionMappedThroughTheSegmentsDeletion() throws Exception {
        PartitionLog log = open("segment.bytes", "2000");
        for (int i = 0; i < 30; i++) {
            log.append(batch(T0 + i, 3), 0);
        }
        LogSlice slice = log.read(0, 1 << 20, Long.MAX_VALUE);
        byte[] expected = transfer(slice, 1 << 20);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        // reads the mapped bytes in two halves, the segment being deleted in between
        WritableByteChannel slowSocket = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                int n = src.remaining();
                byte[] bytes = new byte[n];
                src.get(bytes, 0, n / 2);
                inside.countDown();
                try {
                    proceed.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                src.get(bytes, n / 2, n - n / 2);
                sent.write(bytes, 0, n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                slice.transferTo(slowSocket, 0, slice.sizeInBytes());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        sender.start();
        assertTrue(inside.await(5, TimeUnit.SECONDS));
        Path first = files(".log").get(0);
        int before = unmapper.count();
        log.deleteRecordsBefore(baseOffsetOf(files(".log").get(1)));
        assertFalse(Files.exists(first));
        assertEquals("both indexes are unmapped at once, the pinned log region is not", before + 2, unmapper.count());
        proceed.countDown();
        sender.join(TimeUnit.SECONDS.toMillis(5));
        assertNull(failure.get());
        assertArrayEquals(expected, sent.toByteArray());
        assertEquals("the last reader unmapped the log region", before + 3, unmapper.count());
        assertArrayEquals("the slice is still served, through the channel", expected, transfer(slice, 100));
    }

    @Test
    public void deletedAndClosedSegmentsAreNoLongerMapped() throws Exception {
        assumeTrue("Linux shows mappings in /proc/self/maps", Files.isReadable(Path.of("/proc/self/maps")));
        PartitionLog log = open("segment.bytes", "1000", "index.interval.bytes", "100");
        for (int i = 0; i < 40; i++) {
            log.append(batch(T0 + i, 2), 0);
        }
        List<Path> before = files(".log");
        assertTrue(before.size() > 4);
        String mapped = Files.readString(Path.of("/proc/self/maps"));
        for (Path segment : before) {
            assertTrue(segment + " is mapped", mapped.contains(segment.toString()));
        }
        log.deleteRecordsBefore(baseOffsetOf(before.get(3)));
        mapped = Files.readString(Path.of("/proc/self/maps"));
        for (Path deleted : before.subList(0, 3)) {
            String stem = deleted.toString().replace(".log", "");
            assertFalse(deleted + " was unmapped when deleted", mapped.contains(stem));
        }
        assertTrue(mapped.contains(before.get(3).toString()));
        log.close();
        assertFalse("closing the log unmaps everything", Files.readString(Path.of("/proc/self/maps")).contains(dir.toString()));
    }

    @Test
    public void theActiveSegmentIsMappedAheadAndTrimmedToItsDataWhenSealed() throws Exception {
        PartitionLog log = open("segment.bytes", "8388608");
        ByteBuffer big = bigBatch();
        int batchSize = big.remaining();
        LogSlice early = null;
        for (int i = 0; i < 40; i++) {
            log.append(bigBatch(), 0);
            if (i == 0) {
                early = log.read(0, 1 << 20, Long.MAX_VALUE);
                assertEquals("mapped ahead of the data", MappedRecordFile.MIN_GROWTH, Files.size(files(".log").get(0)));
            }
        }
        assertEquals(40L * batchSize, log.sizeInBytes());
        assertEquals("grown by doubling: 1, 2, 4 MiB", 4 << 20, Files.size(files(".log").get(0)));
        assertEquals("a slice taken before the remaps still reads", batchSize, batches(early).get(0).sizeInBytes());
        assertEquals(39, batches(log.read(39, 1 << 21, Long.MAX_VALUE)).get(0).baseOffset());
        log.close();
        assertEquals(40L * batchSize, Files.size(files(".log").get(0)));
        assertEquals(40, verifyKafkaFormat().size());
    }

    @Test
    public void aCrashImageWithTheMappedTailRecoversEveryRecord() throws Exception {
        PartitionLog log = open("segment.bytes", "100000", "index.interval.bytes", "300");
        for (int i = 0; i < 50; i++) {
            log.append(batch(T0 + i, 1 + i % 3), 0);
        }
        long end = log.logEndOffset();
        long size = log.sizeInBytes();
        byte[] all = readAll(log);
        Path crash = tmp.newFolder("crash").toPath().resolve(dir.getFileName());
        copyDirectory(dir, crash);
        assertTrue("the image holds the zero tail", Files.size(crash.resolve("00000000000000000000.log")) > size);
        log.close();

        dir = crash;
        PartitionLog recovered = open("segment.bytes", "100000", "index.interval.bytes", "300");
        assertEquals(end, recovered.logEndOffset());
        assertEquals(size, recovered.sizeInBytes());
        assertArrayEquals(all, readAll(recovered));
        recovered.close();
        assertEquals(size, Files.size(crash.resolve("00000000000000000000.log")));
        assertEquals(end, verifyKafkaFormat().size());
    }

    static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static ByteBuffer bigBatch() {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(T0, "k".getBytes(), new byte[100_000]))
                .buffer();
    }
}
