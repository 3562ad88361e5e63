package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.record.internal.MutableRecordBatch;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.samsa.api.storage.PartitionLog;

/**
 * A disk that fills up under a log (whose indexes, and with the mmap engine its segments, are
 * memory-mapped): the append fails with an IOException (so the broker takes the log dir
 * offline) instead of faulting in a mapped page, and every batch written
 * before stays readable after a reopen. Needs a small tmpfs, so it runs where the tests may
 * mount one (as root on Linux, as CI does here) and is skipped elsewhere.
 */
public abstract class FullDiskContractTest extends PartitionLogTestSupport {

    private Path mount;

    @Before
    public void mountSmallDisk() throws Exception {
        mount = tmp.newFolder("small-disk").toPath();
        assumeTrue("a 4 MiB tmpfs can be mounted here", run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                mount.toString()) == 0);
        dir = mount.resolve(TP.topic() + "-" + TP.partition());
    }

    @After
    public void unmount() throws Exception {
        closeLogs();
        if (mount != null) {
            run("umount", "-l", mount.toString()); // lazy: a log that failed to close may still hold files
        }
    }

    @Test
    public void fullDiskFailsTheAppendAndKeepsWhatWasWritten() throws Exception {
        // Ballast the operator deletes once the disk is full, as freeing space on a real one.
        Path ballast = mount.resolve("ballast");
        java.nio.file.Files.write(ballast, new byte[512 * 1024]);
        PartitionLog log = engine().open(TP, dir, config("segment.bytes", Integer.toString(64 << 20),
                "segment.index.bytes", "4096"));
        int appended = 0;
        IOException failure = null;
        for (int i = 0; i < 10_000 && failure == null; i++) {
            try {
                log.append(batch(T0 + i, 50), 0);
                appended++;
            } catch (IOException e) {
                failure = e;
            }
        }
        assertTrue("the disk filled up", failure != null);
        assertTrue("some batches fit first: " + appended, appended > 10);
        long end = log.logEndOffset();
        assertEquals("the failed append published nothing", appended * 50L, end);
        try {
            log.close();
        } catch (IOException e) {
            // closing may not manage to trim indexes or write its clean-shutdown marker
        }
        java.nio.file.Files.delete(ballast);

        simulateUncleanShutdown();
        PartitionLog reopened = open("segment.bytes", Integer.toString(64 << 20), "segment.index.bytes", "4096");
        assertEquals(end, reopened.logEndOffset());
        int read = 0;
        long next = 0;
        while (next < end) {
            List<MutableRecordBatch> got = batches(reopened.read(next, 1 << 20, Long.MAX_VALUE));
            assertTrue("progress at offset " + next, !got.isEmpty());
            for (MutableRecordBatch b : got) {
                b.ensureValid();
                read++;
                next = b.lastOffset() + 1;
            }
        }
        assertEquals("every batch written before the disk filled is intact", appended, read);
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

}
