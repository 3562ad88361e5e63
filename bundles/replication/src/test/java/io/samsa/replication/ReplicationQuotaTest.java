package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class ReplicationQuotaTest {

    @Test
    public void unlimitedByDefault() {
        ReplicationQuota q = new ReplicationQuota();
        q.record(Long.MAX_VALUE / 2, 0);
        assertFalse(q.limited());
        assertFalse(q.exceeded(1));
    }

    @Test
    public void measuresOverAllButTheCurrentWindowAtLeast() {
        ReplicationQuota q = new ReplicationQuota(11, 1000);
        q.bound(100);
        // 1000 bytes at once: over at least 10 s that is 100 B/s, not above the bound
        q.record(1000, 0);
        assertEquals(100.0, q.rate(10), 0.001);
        assertFalse(q.exceeded(10));
        q.record(1, 10);
        assertTrue(q.exceeded(10));
    }

    @Test
    public void oldSamplesExpire() {
        ReplicationQuota q = bounded(100, 5000);
        assertTrue(q.exceeded(500));
        assertFalse("the sample of t=0 is out of the 11 s window", q.exceeded(11_000));
        assertEquals(0.0, q.rate(11_000), 0.001);
    }

    private static ReplicationQuota bounded(long bytesPerSecond, long recordedAtZero) {
        ReplicationQuota q = new ReplicationQuota(11, 1000);
        q.bound(bytesPerSecond);
        q.record(recordedAtZero, 0);
        return q;
    }

    @Test
    public void boundChangesLive() {
        ReplicationQuota q = new ReplicationQuota(11, 1000);
        q.record(2000, 0);
        q.bound(100);
        assertTrue(q.exceeded(100));
        q.bound(1000);
        assertFalse(q.exceeded(100));
    }

    @Test
    public void negativeBoundRefused() {
        ReplicationQuota q = new ReplicationQuota();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.bound(-1));
        assertTrue(e.getMessage(), e.getMessage().contains("at least 0"));
    }
}
