package io.samsa.protocol.kafka.fetch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The session cache stays within its bound and evicts as KIP-227 describes. */
public class FetchSessionCacheTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FetchSessionCache cache = new FetchSessionCache(2, 1000, now::get);

    @Test
    public void fullCacheRefusesNewSessionsUntilOneIsStale() {
        int first = cache.open(false, false, partitions(1));
        int second = cache.open(false, false, partitions(1));
        assertNotEquals(0, first);
        assertNotEquals(0, second);
        assertEquals(0, cache.open(false, false, partitions(1)));
        assertEquals(2, cache.size());

        now.addAndGet(1001);
        int third = cache.open(false, false, partitions(1));
        assertNotEquals(0, third);
        assertEquals(2, cache.size());
    }

    @Test
    public void biggerSessionDisplacesOldSmallOne() {
        int small = cache.open(false, false, partitions(1));
        now.addAndGet(600);
        cache.open(false, false, partitions(3));
        now.addAndGet(500);
        // Both were used recently enough, but the small one is old enough to give way to a bigger one.
        int big = cache.open(false, false, partitions(5));
        assertNotEquals(0, big);
        assertNull(cache.get(small));
    }

    @Test
    public void followersDisplaceConsumers() {
        int first = cache.open(false, false, partitions(4));
        int second = cache.open(false, false, partitions(4));
        int follower = cache.open(true, false, partitions(1));
        assertNotEquals(0, follower);
        assertNotNull(cache.get(follower));
        assertEquals(2, cache.size());
        assertEquals("exactly one consumer session gave way", 1,
                (cache.get(first) == null ? 1 : 0) + (cache.get(second) == null ? 1 : 0));
        // A follower session is not displaced by a consumer.
        assertEquals(0, cache.open(false, false, partitions(9)));
    }

    private static LinkedHashMap<PartitionKey, CachedPartition> partitions(int count) {
        LinkedHashMap<PartitionKey, CachedPartition> partitions = new LinkedHashMap<>();
        for (int p = 0; p < count; p++) {
            PartitionKey key = PartitionKey.byName("t", p);
            partitions.put(key, new CachedPartition(key, "t", 0, 1024, -1));
        }
        return partitions;
    }
}
