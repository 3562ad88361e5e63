package io.samsa.storage.mmap;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.Test;

import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogTestSupport;

/**
 * Readers copy out of mapped segments while the writer appends, rolls, truncates and deletes, so
 * regions are retired and unmapped under them all the time. A read of unmapped memory would
 * kill the test JVM; a torn read would fail a CRC.
 */
public class ConcurrentUnmapTest extends PartitionLogTestSupport {

    private final CountingUnmapper unmapper = new CountingUnmapper();

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine(unmapper);
    }

    @Test
    public void readersNeverSeeUnmappedOrTornBytesWhileSegmentsComeAndGo() throws Exception {
        PartitionLog log = open("segment.bytes", "3000", "index.interval.bytes", "100", "segment.index.bytes", "1024");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger goodReads = new AtomicInteger();
        // odd while a truncation runs: a slice read across one may see other bytes, as with any engine
        AtomicLong truncations = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread reader = new Thread(() -> {
                while (!stop.get() && failure.get() == null) {
                    try {
                        readOnce(log, truncations, goodReads);
                    } catch (OffsetOutOfRangeException | EOFException expected) {
                        // retention or truncation moved the range between choosing and reading
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        for (int i = 0; i < 4000 && failure.get() == null && System.nanoTime() < deadline; i++) {
            log.append(batch(T0 + i, 1 + i % 4), 0);
            if (i % 40 == 39) {
                log.deleteRecordsBefore(Math.max(log.logStartOffset(), log.logEndOffset() - 60));
            }
            if (i % 97 == 96) {
                truncations.incrementAndGet();
                log.truncateTo(log.logEndOffset() - 5);
                truncations.incrementAndGet();
            }
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(reader.isAlive());
        }
        if (failure.get() != null) {
            throw new AssertionError("reader failed", failure.get());
        }
        assertTrue("readers read: " + goodReads.get(), goodReads.get() > 50);
        assertTrue("regions were unmapped under the readers", unmapper.count() > 20);
        log.close();
        assertEquals(log.logEndOffset() - log.logStartOffset(), countRecordsAfterReopen());
    }

    private static void readOnce(PartitionLog log, AtomicLong truncations, AtomicInteger goodReads) throws Exception {
        long before = truncations.get();
        long start = log.logStartOffset();
        long end = log.logEndOffset();
        if (end <= start) {
            return;
        }
        long offset = start + ThreadLocalRandom.current().nextLong(end - start);
        LogSlice slice = log.read(offset, 2500, Long.MAX_VALUE);
        byte[] sent = transfer(slice, 700);
        ByteBuffer copied = ByteBuffer.allocate(slice.sizeInBytes());
        slice.readInto(copied, 0);
        if ((before & 1) == 0 && truncations.get() == before) {
            int batches = 0;
            for (MutableRecordBatch b : MemoryRecords.readableRecords(ByteBuffer.wrap(sent)).batches()) {
                b.ensureValid();
                batches++;
            }
            if (batches == 0 || !ByteBuffer.wrap(sent).equals(copied.flip())) {
                throw new AssertionError("bad slice at " + offset + ": " + batches + " batches");
            }
            goodReads.incrementAndGet();
        }
    }

    private long countRecordsAfterReopen() throws Exception {
        PartitionLog reopened = open("segment.bytes", "3000", "index.interval.bytes", "100", "segment.index.bytes", "1024");
        long n = 0;
        for (MutableRecordBatch b : MemoryRecords.readableRecords(ByteBuffer.wrap(readAll(reopened))).batches()) {
            n += b.lastOffset() - Math.max(b.baseOffset(), reopened.logStartOffset()) + 1;
        }
        return n;
    }
}
