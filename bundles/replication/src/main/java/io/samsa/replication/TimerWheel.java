package io.samsa.replication;

/**
 * Deadlines of the whole runtime in one hashed wheel: scheduling and cancelling are O(1) under
 * one short lock, and a cancelled deadline leaves nothing behind. Whoever owns the wheel calls
 * {@link #advance} with the time (one thread in production, the test in tests); expired tasks
 * run on that caller, outside the lock.
 * <p>
 * Why not a {@code ScheduledExecutorService} task per acks=all request: at tens of thousands of
 * requests a second with a 30 s timeout, the executor's queue holds hundreds of thousands of
 * live tasks, each removed by a linear scan or left until its deadline.
 */
final class TimerWheel {

    /** A scheduled task; {@link #cancel} is idempotent and safe after expiry. */
    final class Timeout {
        private final long deadlineMs;
        private final Runnable task;
        private Timeout prev;
        private Timeout next;
        private int bucket = -1;

        private Timeout(long deadlineMs, Runnable task) {
            this.deadlineMs = deadlineMs;
            this.task = task;
        }

        long deadlineMs() {
            return deadlineMs;
        }

        /** Removes the task if it has not run; afterwards it never runs. */
        void cancel() {
            synchronized (TimerWheel.this) {
                unlink(this);
            }
        }
    }

    private final long tickMs;
    private final Timeout[] heads;
    private final int mask;
    /** Every tick up to and including this one has been expired. */
    private long expiredTick;
    private int size;

    /**
     * @param tickMs  resolution: a task runs at most one tick late (plus the owner's delay)
     * @param buckets a power of two; deadlines further than {@code tickMs * buckets} ahead wait
     *                in their bucket for more turns of the wheel
     */
    TimerWheel(long tickMs, int buckets, long nowMs) {
        if (tickMs < 1 || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("A timer wheel needs a tick of at least 1 ms and a power-of-two"
                    + " number of buckets, not tick " + tickMs + " and " + buckets + " buckets");
        }
        this.tickMs = tickMs;
        this.heads = new Timeout[buckets];
        this.mask = buckets - 1;
        this.expiredTick = nowMs / tickMs;
    }

    /** Runs {@code task} once {@link #advance} reaches {@code deadlineMs}. */
    synchronized Timeout schedule(long deadlineMs, Runnable task) {
        Timeout t = new Timeout(deadlineMs, task);
        // A deadline in a tick already expired goes into the next one, which advance visits next.
        long tick = Math.max(deadlineMs / tickMs, expiredTick + 1);
        int b = (int) (tick & mask);
        t.bucket = b;
        t.next = heads[b];
        if (t.next != null) {
            t.next.prev = t;
        }
        heads[b] = t;
        size++;
        notifyAll();
        return t;
    }

    /** Tasks scheduled and neither run nor cancelled. */
    synchronized int size() {
        return size;
    }

    /** Runs every task whose deadline is at or before {@code nowMs}; returns how many ran. */
    int advance(long nowMs) {
        Timeout expired = null;
        synchronized (this) {
            long nowTick = nowMs / tickMs;
            if (nowTick <= expiredTick && size == 0) {
                return 0;
            }
            // Past one full turn every bucket has been visited: no need to walk the ticks one by one.
            long from = Math.max(expiredTick + 1, nowTick - mask);
            for (long tick = from; tick <= nowTick; tick++) {
                Timeout t = heads[(int) (tick & mask)];
                while (t != null) {
                    Timeout next = t.next;
                    if (t.deadlineMs <= nowMs) {
                        unlink(t);
                        t.next = expired;
                        expired = t;
                    }
                    t = next;
                }
            }
            expiredTick = Math.max(expiredTick, nowTick);
        }
        int ran = 0;
        for (Timeout t = expired; t != null; t = t.next) {
            t.task.run();
            ran++;
        }
        return ran;
    }

    /** Blocks the owner's thread while the wheel is empty, at most {@code maxWaitMs}. */
    synchronized void awaitWork(long maxWaitMs) throws InterruptedException {
        if (size == 0) {
            wait(maxWaitMs);
        }
    }

    long tickMs() {
        return tickMs;
    }

    private void unlink(Timeout t) {
        if (t.bucket < 0) {
            return;
        }
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            heads[t.bucket] = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.bucket = -1;
        size--;
    }
}
