package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.Test;

import io.samsa.api.storage.PartitionLog;

/**
 * A roll hands the sealed segment's fsync to the flusher: the append that rolled, and the ones
 * after it, do not wait for the disk, and the recovery point stays before every segment whose
 * fsync has not finished, so a crash meanwhile recovers (validates) that segment instead of
 * trusting it. Engines subclass it and supply {@link #engine()}, which must be a
 * {@link SegmentedStorageEngine}.
 */
public abstract class SealedSegmentFlushContractTest extends PartitionLogTestSupport {

    private static final String RECOVERY_POINT = "recovery-point";

    private SegmentedPartitionLog openWithFlusher(Executor flusher) throws Exception {
        FileAccess access = ((SegmentedStorageEngine) engine()).files();
        return SegmentedPartitionLog.open(TP, dir, config("segment.bytes", "600"), () -> T0, access,
                new SegmentedPartitionLog.LogRuntime(Runnable::run, flusher, new ReentrantLock()));
    }

    private static void runAll(Queue<Runnable> queued) {
        for (Runnable task; (task = queued.poll()) != null;) {
            task.run();
        }
    }

    @Test
    public void theRecoveryPointWaitsForTheSealedSegmentsFsync() throws Exception {
        Queue<Runnable> flushes = new ArrayDeque<>();
        SegmentedPartitionLog log = openWithFlusher(flushes::add);
        for (int i = 0; i < 20; i++) {
            log.append(batch(T0 + i, 2), 0);
        }
        List<Path> logs = files(".log");
        assertTrue("the appends rolled while no flush ran: " + logs, logs.size() > 2);
        assertFalse("a flush is waiting", flushes.isEmpty());
        assertEquals("nothing unflushed is trusted", 0, log.recoveryPoint());
        assertFalse("no recovery point file claims an unflushed segment", Files.exists(dir.resolve(RECOVERY_POINT)));

        runAll(flushes); // each flush, once done, lets the next one (of the next roll) in
        long activeBase = baseOffsetOf(logs.get(logs.size() - 1));
        assertEquals(activeBase, log.recoveryPoint());
        assertEquals("0\n1\n" + TP.topic() + " " + TP.partition() + " " + activeBase + "\n",
                Files.readString(dir.resolve(RECOVERY_POINT)));
        log.close();
    }

    @Test
    public void aFlushThatHangsBlocksNoAppendAndACrashMeanwhileLosesNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch flushStarted = new CountDownLatch(1);
        ExecutorService disk = Executors.newSingleThreadExecutor();
        try {
            SegmentedPartitionLog log = openWithFlusher(task -> disk.execute(() -> {
                flushStarted.countDown();
                try {
                    release.await(); // a disk that takes its time
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                task.run();
            }));
            ExecutorService producer = Executors.newSingleThreadExecutor();
            CompletableFuture<Long> appended = CompletableFuture.supplyAsync(() -> {
                try {
                    for (int i = 0; i < 30; i++) {
                        log.append(batch(T0 + i, 2), 0);
                    }
                    return log.logEndOffset();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, producer);
            try {
                assertEquals("every append returned while the first flush hung", 60L,
                        (long) appended.get(30, TimeUnit.SECONDS));
            } finally {
                producer.shutdown();
            }
            assertTrue(flushStarted.await(30, TimeUnit.SECONDS));
            assertTrue("the appends rolled several times", files(".log").size() > 3);
            assertEquals("the recovery point waits for the hung flush", 0, log.recoveryPoint());

            // A crash now leaves the files as they are: no clean-shutdown marker, no recovery point.
            Path crashed = crashImage();
            assertFalse(Files.exists(crashed.resolve(RECOVERY_POINT)));
            PartitionLog recovered = engine().open(TP, crashed, config("segment.bytes", "600"));
            try {
                assertEquals("recovery validated every segment and kept every record", 60, recovered.logEndOffset());
                assertEquals(List.of(0L, 2L), baseOffsets(recovered.read(0, 1 << 20, 3)));
            } finally {
                recovered.close();
            }
            release.countDown();
            log.awaitSealedFlushed();
            assertTrue("released, the flushes caught up", log.recoveryPoint() > 0);
            log.close();
        } finally {
            release.countDown();
            disk.shutdown();
            assertTrue(disk.awaitTermination(30, TimeUnit.SECONDS));
        }
    }
}
