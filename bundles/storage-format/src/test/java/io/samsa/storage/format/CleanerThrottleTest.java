package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

public class CleanerThrottleTest {

    private long nowNs = TimeUnit.SECONDS.toNanos(100);
    private final List<Long> sleeps = new ArrayList<>();

    private CleanerThrottle throttle(double bytesPerSecond) {
        return new CleanerThrottle(bytesPerSecond, () -> nowNs, nanos -> {
            sleeps.add(nanos);
            nowNs += nanos;
        });
    }

    @Test
    public void holdsTheCleanerToTheRateAfterOneSecondOfCredit() throws Exception {
        CleanerThrottle throttle = throttle(1000);
        throttle.acquire(1000); // the second of credit an idle cleaner keeps
        assertEquals(List.of(), sleeps);
        throttle.acquire(500);
        throttle.acquire(500);
        assertEquals("2000 bytes at 1000 B/s take 2 s, 1 s of it credit",
                TimeUnit.SECONDS.toNanos(1), sleeps.stream().mapToLong(Long::longValue).sum());
    }

    @Test
    public void anIdleCleanerCannotSaveUpABurst() throws Exception {
        CleanerThrottle throttle = throttle(1000);
        nowNs += TimeUnit.HOURS.toNanos(1);
        throttle.acquire(3000);
        assertEquals(List.of(TimeUnit.SECONDS.toNanos(2)), sleeps);
    }

    @Test
    public void aNewRateAppliesToTheNextBytes() throws Exception {
        CleanerThrottle throttle = throttle(1000);
        throttle.acquire(1000);
        throttle.setRate(100);
        throttle.acquire(100);
        assertEquals(List.of(TimeUnit.SECONDS.toNanos(1)), sleeps);
        assertEquals(100, throttle.rate(), 0);
    }

    @Test
    public void theDefaultRateNeverSleeps() throws Exception {
        CleanerThrottle throttle = throttle(Double.MAX_VALUE);
        throttle.acquire(Long.MAX_VALUE / 2);
        assertEquals(List.of(), sleeps);
    }

    @Test
    public void aRateThatIsNotPositiveIsRefused() {
        CleanerThrottle throttle = throttle(1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> throttle.setRate(0));
        assertEquals("log.cleaner.io.max.bytes.per.second must be positive, not 0.0", e.getMessage());
        assertEquals(1000, throttle.rate(), 0);
    }
}
