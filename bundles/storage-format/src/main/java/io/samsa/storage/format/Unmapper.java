package io.samsa.storage.format;

import java.nio.MappedByteBuffer;

/**
 * How an engine releases a memory mapping it no longer uses. {@link MappedRegion} calls it once,
 * after the last reader let go of the mapping, with the buffer {@code FileChannel.map} returned
 * (never a slice or duplicate of it).
 */
@FunctionalInterface
public interface Unmapper {

    /**
     * Leaves the mapping to the garbage collector, which unmaps it once nothing references it;
     * needs no JDK-internal API, but disk space and (on Windows) the file stay held until then.
     */
    Unmapper GARBAGE_COLLECTOR = buffer -> {
    };

    void unmap(MappedByteBuffer buffer);
}
