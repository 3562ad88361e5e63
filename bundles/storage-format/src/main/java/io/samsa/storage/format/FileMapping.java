package io.samsa.storage.format;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The current read-write mapping of a file that one writer grows, shrinks and closes while
 * readers pin it for single operations.
 * <p>
 * The writer publishes a new region before it retires the old one, so a reader's
 * {@link #pin()} finds a live region or none (closed, or a shrink under way), never an unmapped
 * one. A file is never shrunk under a live view: Windows refuses that, and elsewhere reading
 * the cut part of a view faults. Retired regions still pinned are remembered until the last
 * reader releases them, so a shrink can wait for them.
 */
public final class FileMapping {

    /** How long a shrink waits for reads still pinning a retired region. */
    public static final long DRAIN_WAIT_MS = 2_000;

    private final Unmapper unmapper;
    /** Retired regions not yet unmapped; the writer's alone. */
    private final List<MappedRegion> retired = new ArrayList<>();
    private volatile MappedRegion current;

    public FileMapping(Unmapper unmapper) {
        this.unmapper = unmapper;
    }

    /**
     * Pins the current region for one read; the caller releases it.
     *
     * @return the pinned region, or null when there is none (closed, or being shrunk)
     */
    public MappedRegion pin() {
        while (true) {
            MappedRegion region = current;
            // a region fails to pin only once retired, and retiring follows its replacement
            if (region == null || region.acquire()) {
                return region;
            }
        }
    }

    /** The writer's view of the current region, without a pin; null when closed. */
    public MappedRegion current() {
        return current;
    }

    /**
     * Maps bytes {@code [0, size)} read-write, which extends a shorter file (sparse where the
     * file system allows), publishes the mapping and retires the previous one.
     */
    public MappedByteBuffer map(FileChannel channel, int size) throws IOException {
        MappedRegion region = new MappedRegion(channel.map(FileChannel.MapMode.READ_WRITE, 0, size), unmapper);
        MappedRegion old = current;
        current = region;
        retire(old);
        return region.buffer();
    }

    /**
     * Retires every region and cuts the file to {@code length}. Readers meanwhile find no region
     * and read through the channel; call {@link #map} to map the file again.
     *
     * @param cutsReadableBytes whether bytes a reader may be reading are cut: reads still pinning
     *                          a retired region then get {@link #DRAIN_WAIT_MS} to finish first.
     *                          Otherwise the truncation is tried at once and waits only when
     *                          the platform refuses it because of a live view.
     */
    public void truncate(FileChannel channel, long length, boolean cutsReadableBytes) throws IOException {
        MappedRegion old = current;
        current = null;
        retire(old);
        if (cutsReadableBytes) {
            awaitRetired();
        }
        try {
            channel.truncate(length);
        } catch (IOException e) {
            if (retired.isEmpty() || !awaitRetired()) {
                throw e;
            }
            channel.truncate(length);
        }
    }

    /** Retires the current region; it is unmapped once no read pins it. */
    public void close() {
        MappedRegion old = current;
        current = null;
        retire(old);
    }

    private void retire(MappedRegion old) {
        retired.removeIf(MappedRegion::isUnmapped);
        if (old != null) {
            old.close();
            if (!old.isUnmapped()) {
                retired.add(old);
            }
        }
    }

    /** Waits for the pinned retired regions; true when all are unmapped. */
    private boolean awaitRetired() {
        long deadline = System.currentTimeMillis() + DRAIN_WAIT_MS;
        for (MappedRegion region : retired) {
            if (!region.awaitUnmapped(Math.max(0, deadline - System.currentTimeMillis()))) {
                return false;
            }
        }
        retired.clear();
        return true;
    }
}
