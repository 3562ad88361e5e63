package io.samsa.storage.format;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's map from record key to the latest offset holding it, over the dirty part of a
 * log. Like Kafka's, it keeps a 128-bit MD5 digest of each key rather than the key, in flat
 * arrays (24 bytes an entry, open addressing), so its memory is fixed and small whatever the
 * keys; two keys would have to collide in all 128 bits for the wrong record to go.
 * <p>
 * Filled to a load factor and no further: a full map refuses new keys, and the cleaner then
 * cleans only up to the offset it reached. One cleaning's alone (not thread-safe).
 */
final class OffsetMap {

    static final double LOAD_FACTOR = 0.75;

    private final long[] hashHigh;
    private final long[] hashLow;
    private final long[] offsets;
    private final int mask;
    private final int maxEntries;
    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private final ByteBuffer digestView = ByteBuffer.wrap(digest);
    private int size;

    /** A map of at least {@code slots} slots (rounded up to a power of two). */
    OffsetMap(int slots) {
        int capacity = Integer.highestOneBit(Math.max(16, slots) - 1) << 1;
        hashHigh = new long[capacity];
        hashLow = new long[capacity];
        offsets = new long[capacity];
        Arrays.fill(offsets, -1);
        mask = capacity - 1;
        maxEntries = (int) (capacity * LOAD_FACTOR);
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK provides no MD5 digest", e);
        }
    }

    int size() {
        return size;
    }

    /**
     * Records that {@code key}'s latest offset is {@code offset}.
     *
     * @return false when the key is new and the map is full (nothing is recorded)
     */
    boolean put(ByteBuffer key, long offset) {
        int slot = find(key);
        if (offsets[slot] < 0) {
            if (size >= maxEntries) {
                return false;
            }
            hashHigh[slot] = digestView.getLong(0);
            hashLow[slot] = digestView.getLong(8);
            size++;
        }
        offsets[slot] = offset;
        return true;
    }

    /** The latest offset recorded for {@code key}, or -1. */
    long get(ByteBuffer key) {
        return offsets[find(key)];
    }

    /** The slot holding {@code key}'s digest, or the empty slot where it would go; leaves the digest in {@link #digest}. */
    private int find(ByteBuffer key) {
        md5.update(key.duplicate());
        try {
            md5.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        long high = digestView.getLong(0);
        long low = digestView.getLong(8);
        int slot = (int) (high ^ (high >>> 32)) & mask;
        while (offsets[slot] >= 0 && (hashHigh[slot] != high || hashLow[slot] != low)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }
}
