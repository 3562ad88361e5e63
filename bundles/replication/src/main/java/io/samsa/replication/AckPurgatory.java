package io.samsa.replication;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.protocol.Errors;

/**
 * The acks=all produces of one partition waiting for the high watermark, lowest required offset
 * first. Appends happen in offset order, so waiters arrive nearly sorted: insertion walks back
 * from the tail (almost always zero steps) and a high watermark advance pops a prefix, touching
 * only the waiters it completes. Guarded by the owning {@link LeaderState}'s monitor; the
 * futures are completed by the caller after leaving it, so no client callback runs under it.
 */
final class AckPurgatory {

    /** One produce waiting; its timeout sits in the runtime's shared {@link TimerWheel}. */
    static final class Waiter {
        final long requiredOffset;
        final CompletableFuture<Errors> future = new CompletableFuture<>();
        TimerWheel.Timeout timeout;
        /** Taken out of the purgatory (completed, timed out or the leadership ended). */
        boolean done;
        Errors outcome;

        Waiter(long requiredOffset) {
            this.requiredOffset = requiredOffset;
        }

        /** Completes the future; call outside the monitor. */
        void complete() {
            future.complete(outcome);
        }
    }

    private Waiter[] ring = new Waiter[16];
    private int head;
    private int size;

    /** Waiters still in the queue (timed-out ones not yet popped included). */
    int size() {
        return size;
    }

    void add(Waiter w) {
        if (size == ring.length) {
            grow();
        }
        int i = size;
        // Walk back past later offsets: another append's produce registered first.
        while (i > 0 && at(i - 1).requiredOffset > w.requiredOffset) {
            set(i, at(i - 1));
            i--;
        }
        set(i, w);
        size++;
    }

    /**
     * Takes out every waiter whose required offset is at or below {@code highWatermark},
     * marking it done with {@code outcome} and cancelling its timeout, into {@code completed}.
     */
    void completeUpTo(long highWatermark, Errors outcome, List<Waiter> completed) {
        while (size > 0) {
            Waiter w = at(0);
            if (w.done) {
                pop();
                continue;
            }
            if (w.requiredOffset > highWatermark) {
                return;
            }
            pop();
            finish(w, outcome, completed);
        }
    }

    /** Takes out every waiter, with {@code outcome}: the leadership ended. */
    void completeAll(Errors outcome, List<Waiter> completed) {
        while (size > 0) {
            Waiter w = pop();
            if (!w.done) {
                finish(w, outcome, completed);
            }
        }
    }

    /**
     * A waiter's deadline passed: marks it done with REQUEST_TIMED_OUT unless it completed
     * first. Deadlines come roughly in offset order, so the timed-out waiter is usually the head
     * and leaves at once; one further back leaves when the head passes it.
     *
     * @return whether it timed out (the caller completes it)
     */
    boolean expire(Waiter w) {
        if (w.done) {
            return false;
        }
        w.done = true;
        w.outcome = Errors.REQUEST_TIMED_OUT;
        while (size > 0 && at(0).done) {
            pop();
        }
        return true;
    }

    private static void finish(Waiter w, Errors outcome, List<Waiter> completed) {
        w.done = true;
        w.outcome = outcome;
        if (w.timeout != null) {
            w.timeout.cancel();
        }
        completed.add(w);
    }

    private Waiter pop() {
        Waiter w = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        return w;
    }

    private Waiter at(int i) {
        return ring[(head + i) & (ring.length - 1)];
    }

    private void set(int i, Waiter w) {
        ring[(head + i) & (ring.length - 1)] = w;
    }

    private void grow() {
        Waiter[] bigger = new Waiter[ring.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = at(i);
        }
        ring = bigger;
        head = 0;
    }
}
