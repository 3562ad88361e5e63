package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Pins and explicit unmapping: a region is unmapped exactly once, and never while pinned. */
public class MappedRegionTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /**
     * Records unmaps (by identity: buffers compare by content) instead of performing them, so a
     * wrong unmap is seen rather than crashed on.
     */
    private final Map<MappedByteBuffer, AtomicInteger> unmapped = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Unmapper recording = b -> unmapped.computeIfAbsent(b, k -> new AtomicInteger()).incrementAndGet();
    private FileChannel channel;

    @Before
    public void openFile() throws IOException {
        channel = FileChannel.open(tmp.getRoot().toPath().resolve("f"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @After
    public void closeFile() throws IOException {
        channel.close();
    }

    private MappedRegion region(int size) throws IOException {
        return new MappedRegion(channel.map(FileChannel.MapMode.READ_WRITE, 0, size), recording);
    }

    private int unmaps(MappedRegion r) {
        AtomicInteger n = unmapped.get(r.buffer());
        return n == null ? 0 : n.get();
    }

    @Test
    public void closingAnUnpinnedRegionUnmapsItAtOnceAndOnlyOnce() throws IOException {
        MappedRegion r = region(4096);
        r.close();
        r.close();
        assertTrue(r.isUnmapped());
        assertEquals(1, unmaps(r));
        assertFalse("a closed region takes no pins", r.acquire());
    }

    @Test
    public void aPinnedRegionIsUnmappedWhenItsLastPinIsReleased() throws IOException {
        MappedRegion r = region(4096);
        assertTrue(r.acquire());
        assertTrue(r.acquire());
        r.close();
        assertFalse(r.acquire());
        r.release();
        assertEquals("one reader still pins it", 0, unmaps(r));
        assertFalse(r.awaitUnmapped(0));
        r.release();
        assertEquals(1, unmaps(r));
        assertTrue(r.awaitUnmapped(0));
    }

    @Test
    public void racingPinsAndCloseNeverUnmapUnderAReader() throws Exception {
        int regions = 300;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < regions && failure.get() == null; i++) {
            MappedRegion r = region(4096);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread reader = new Thread(() -> {
                    try {
                        go.await();
                        while (r.acquire()) {
                            try {
                                if (unmaps(r) != 0) {
                                    throw new AssertionError("unmapped while pinned: " + r);
                                }
                            } finally {
                                r.release();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                reader.start();
                readers.add(reader);
            }
            go.countDown();
            r.close();
            for (Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(reader.isAlive());
            }
            assertEquals("exactly one unmap", 1, unmaps(r));
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    public void aRemapPublishesTheNewRegionAndUnmapsTheOldOnceReleased() throws IOException {
        FileMapping mapping = new FileMapping(recording);
        mapping.map(channel, 4096);
        MappedRegion first = mapping.pin();
        mapping.map(channel, 8192);
        assertEquals("mapping grows the file", 8192, channel.size());
        MappedRegion second = mapping.pin();
        assertEquals(8192, second.capacity());
        second.release();
        assertEquals(0, unmaps(first));
        first.release();
        assertEquals(1, unmaps(first));
        mapping.close();
        assertNull("a closed mapping has no region to pin", mapping.pin());
        assertEquals(1, unmaps(second));
    }

    @Test
    public void truncatingReadableBytesWaitsForTheReadersOfTheOldRegion() throws Exception {
        FileMapping mapping = new FileMapping(recording);
        mapping.map(channel, 8192);
        MappedRegion pinned = mapping.pin();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                mapping.truncate(channel, 100, true);
                mapping.map(channel, 100);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (writer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals("the writer waits for the pinned reader", Thread.State.TIMED_WAITING, writer.getState());
        assertEquals("and has not cut the file yet", 8192, channel.size());
        assertNull("meanwhile readers find no region (and use the channel)", mapping.pin());
        pinned.release();
        writer.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(writer.isAlive());
        assertNull(failure.get());
        assertEquals(100, channel.size());
        assertEquals(1, unmaps(pinned));
        MappedRegion now = mapping.pin();
        assertSame(now, mapping.current());
        assertEquals(100, now.capacity());
        now.release();
    }
}
