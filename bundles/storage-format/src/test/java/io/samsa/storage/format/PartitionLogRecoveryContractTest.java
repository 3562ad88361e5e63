package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.Test;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;

/**
 * What every storage engine must do across restarts and under concurrent reads: restore state
 * after a clean close, cut torn tails after a crash, rebuild lost indexes, and never show a
 * reader part of a batch.
 */
public abstract class PartitionLogRecoveryContractTest extends PartitionLogTestSupport {

    private static final String[] SMALL = {"segment.bytes", "1500", "index.interval.bytes", "200",
        "segment.index.bytes", "1024"};

    private PartitionLog fill(int batches) throws Exception {
        PartitionLog log = open(SMALL);
        for (int i = 0; i < batches; i++) {
            log.append(batch(T0 + i, 1 + i % 4), i / 10);
        }
        return log;
    }

    @Test
    public void reopenAfterCloseRestoresTheLog() throws Exception {
        PartitionLog log = fill(50);
        log.deleteRecordsBefore(7);
        long end = log.logEndOffset();
        long size = log.sizeInBytes();
        var max = log.maxTimestamp();
        var at = log.offsetForTimestamp(T0 + 33);
        List<Long> bases = baseOffsets(log.read(40, 1 << 20, Long.MAX_VALUE));
        log.close();
        assertTrue(Files.exists(dir.resolve(".kafka_cleanshutdown")));
        verifyKafkaFormat();

        PartitionLog reopened = open(SMALL);
        assertFalse("the marker is consumed on open", Files.exists(dir.resolve(".kafka_cleanshutdown")));
        assertEquals(end, reopened.logEndOffset());
        assertEquals(7, reopened.logStartOffset());
        assertEquals(size, reopened.sizeInBytes());
        assertEquals(max, reopened.maxTimestamp());
        assertEquals(at, reopened.offsetForTimestamp(T0 + 33));
        assertEquals(bases, baseOffsets(reopened.read(40, 1 << 20, Long.MAX_VALUE)));
        assertEquals(end, reopened.append(batch(T0 + 100, 2), 9).firstOffset());
        reopened.close();
        verifyKafkaFormat();
    }

    @Test
    public void aTornTailIsCutAfterAnUncleanShutdown() throws Exception {
        PartitionLog log = fill(30);
        long end = log.logEndOffset();
        log.close();
        simulateUncleanShutdown();
        List<Path> logs = files(".log");
        Path active = logs.get(logs.size() - 1);
        long length = Files.size(active);
        ByteBuffer half = batch(T0, 5);
        half.putLong(0, end);
        appendBytes(active, java.util.Arrays.copyOf(half.array(), half.remaining() / 2));

        PartitionLog reopened = open(SMALL);
        assertEquals(end, reopened.logEndOffset());
        assertEquals(length, Files.size(active));
        assertEquals(end, reopened.append(batch(T0, 2), 0).firstOffset());
        reopened.close();
        assertEquals(end + 2, verifyKafkaFormat().size());
    }

    @Test
    public void aLastBatchWithABadCrcIsDropped() throws Exception {
        PartitionLog log = fill(20);
        long end = log.logEndOffset();
        log.close();
        List<Path> logs = files(".log");
        Path active = logs.get(logs.size() - 1);
        long length = Files.size(active);
        try (RandomAccessFile f = new RandomAccessFile(active.toFile(), "rw")) {
            f.seek(length - 3);
            int b = f.read();
            f.seek(length - 3);
            f.write(b ^ 0x5a);
        }
        simulateUncleanShutdown();
        PartitionLog reopened = open(SMALL);
        assertTrue(reopened.logEndOffset() < end);
        MutableRecordBatch lastKept = batches(reopened.read(reopened.logEndOffset() - 1, 1, Long.MAX_VALUE)).get(0);
        assertEquals(lastKept.lastOffset() + 1, reopened.logEndOffset());
        assertTrue(Files.size(active) < length);
        reopened.close();
        verifyKafkaFormat();
    }

    @Test
    public void garbageAfterTheLastBatchIsCut() throws Exception {
        PartitionLog log = fill(10);
        long end = log.logEndOffset();
        log.close();
        simulateUncleanShutdown();
        List<Path> logs = files(".log");
        appendBytes(logs.get(logs.size() - 1), new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3});
        PartitionLog reopened = open(SMALL);
        assertEquals(end, reopened.logEndOffset());
        reopened.close();
        verifyKafkaFormat();
    }

    @Test
    public void preallocatedIndexesLeftByACrashAreRebuilt() throws Exception {
        PartitionLog log = fill(30);
        long end = log.logEndOffset();
        log.close();
        simulateUncleanShutdown();
        List<Path> indexes = files(".index");
        Path last = indexes.get(indexes.size() - 1);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(1024); // as a crash leaves it: zeros after the real entries
        }
        PartitionLog reopened = open(SMALL);
        assertEquals(end, reopened.logEndOffset());
        for (long offset = 0; offset < end; offset += 3) {
            MutableRecordBatch b = batches(reopened.read(offset, 1, Long.MAX_VALUE)).get(0);
            assertTrue(b.baseOffset() <= offset && offset <= b.lastOffset());
        }
        reopened.close();
        verifyKafkaFormat();
    }

    @Test
    public void deletedIndexFilesAreRebuiltFromTheLog() throws Exception {
        PartitionLog log = fill(60);
        long end = log.logEndOffset();
        var at = log.offsetForTimestamp(T0 + 21);
        log.close();
        List<Path> indexes = files(".index");
        assertTrue(indexes.size() > 2);
        Files.delete(indexes.get(1));
        Files.delete(dir.resolve(indexes.get(1).getFileName().toString().replace(".index", ".timeindex")));
        Files.delete(indexes.get(indexes.size() - 1));
        PartitionLog reopened = open(SMALL);
        assertTrue(Files.exists(indexes.get(1)));
        assertTrue("the rebuilt index has entries", Files.size(indexes.get(1)) > 0);
        assertEquals(end, reopened.logEndOffset());
        assertEquals(at, reopened.offsetForTimestamp(T0 + 21));
        for (long offset = 0; offset < end; offset += 2) {
            MutableRecordBatch b = batches(reopened.read(offset, 1, Long.MAX_VALUE)).get(0);
            assertTrue(b.baseOffset() <= offset && offset <= b.lastOffset());
        }
        reopened.close();
        verifyKafkaFormat();
    }

    @Test
    public void aCorruptIndexIsRebuilt() throws Exception {
        PartitionLog log = fill(40);
        long end = log.logEndOffset();
        log.close();
        Path index = files(".index").get(0);
        Files.write(index, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}); // not a whole number of entries
        PartitionLog reopened = open(SMALL);
        assertEquals(end, reopened.logEndOffset());
        assertEquals(List.of(0L), baseOffsets(reopened.read(0, 1, Long.MAX_VALUE)));
        reopened.close();
        assertEquals(0, Files.size(index) % 8);
        verifyKafkaFormat();
    }

    @Test
    public void anEmptyDirectoryStartsAtTheCheckpointedStartOffset() throws Exception {
        PartitionLog log = open();
        assertEquals(0, log.logEndOffset());
        assertNull(log.maxTimestamp());
        log.close();
        assertTrue(Files.exists(dir.resolve("00000000000000000000.log")));
        assertTrue(Files.exists(dir.resolve("00000000000000000000.index")));
        assertTrue(Files.exists(dir.resolve("00000000000000000000.timeindex")));
        assertEquals(0, open().logEndOffset());
    }

    @Test
    public void readersOnlyEverSeeWholeBatchesWhileAppendsRoll() throws Exception {
        LogConfig cfg = config("segment.bytes", "3000", "index.interval.bytes", "100", "segment.index.bytes", "1024");
        PartitionLog log = open(cfg);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        // stopped by a flag: interrupting a thread inside a FileChannel read closes the channel
        Thread reader = new Thread(() -> {
            try {
                while (!stop.get()) {
                    long end = log.logEndOffset();
                    long from = end == 0 ? 0 : (end * 7919) % end;
                    LogSlice slice = log.read(from, 4000, Long.MAX_VALUE);
                    List<MutableRecordBatch> got = batches(slice);
                    if (end > from && got.isEmpty()) {
                        throw new AssertionError("nothing read at " + from + " below end " + end);
                    }
                    if (!got.isEmpty() && (got.get(0).baseOffset() > from || got.get(0).lastOffset() < from)) {
                        throw new AssertionError("first batch does not hold " + from);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < 800 && failure.get() == null && System.nanoTime() < deadline; i++) {
            log.append(batch(T0 + i, 1 + i % 5), 0);
        }
        stop.set(true);
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(reader.isAlive());
        if (failure.get() != null) {
            throw new AssertionError("reader failed", failure.get());
        }
        assertTrue(files(".log").size() > 10);
    }
}
