package io.samsa.replication;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.StateUpdate;

/**
 * Writes leaders' ISR changes to the cluster metadata, one at a time, on the one thread that
 * calls {@link #writeDue}: never a request thread, never under a leader's monitor (a
 * coordinator round trip takes milliseconds, and seconds when it is in trouble).
 * <p>
 * Each write compares the partition epoch the change was decided from. A lost compare is
 * answered with the state found, which the leader adopts if it is still its own and decides
 * from again, so a leader never retries a stale version forever (KAFKA-2729). A coordinator
 * that cannot be reached keeps the change pending and retried with a growing backoff; the
 * leader's high watermark meanwhile counts the maximal ISR, which is safe.
 */
final class IsrUpdater {
    private static final Logger LOG = LoggerFactory.getLogger(IsrUpdater.class);
    static final long MIN_RETRY_MS = 100;
    static final long MAX_RETRY_MS = 10_000;

    private final ClusterMetadataStore store;
    private final LongSupplier clock;
    private final Runnable wakeUp;
    /** Leaders with a change to write, in the order they asked; guarded by this. */
    private final Set<LeaderState> ready = new LinkedHashSet<>();
    /** Leaders whose last write failed to reach the coordinator; guarded by this. */
    private final List<LeaderState> retrying = new ArrayList<>();

    /** @param wakeUp tells the owning thread that a change is ready */
    private final ReplicationMetrics metrics;

    IsrUpdater(ClusterMetadataStore store, LongSupplier clock, Runnable wakeUp) {
        this(store, clock, wakeUp, new ReplicationMetrics());
    }

    IsrUpdater(ClusterMetadataStore store, LongSupplier clock, Runnable wakeUp, ReplicationMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.clock = clock;
        this.wakeUp = wakeUp;
    }

    /** A leader decided a change (called under its monitor: only queues). */
    void submit(LeaderState leader) {
        synchronized (this) {
            retrying.remove(leader);
            leader.isrWriteFailures = 0;
            ready.add(leader);
        }
        wakeUp.run();
    }

    /** Leaders queued or backing off. */
    synchronized int queued() {
        return ready.size() + retrying.size();
    }

    /**
     * Writes every change that is due now (queued, or backing off with its retry time passed).
     *
     * @return the time of the next retry, or {@link Long#MAX_VALUE} when none is waiting
     */
    long writeDue() {
        ArrayDeque<LeaderState> due = new ArrayDeque<>();
        long now = clock.getAsLong();
        synchronized (this) {
            due.addAll(ready);
            ready.clear();
            for (var it = retrying.iterator(); it.hasNext();) {
                LeaderState l = it.next();
                if (l.isrWriteRetryAtMs <= now) {
                    it.remove();
                    due.add(l);
                }
            }
        }
        for (LeaderState leader : due) {
            write(leader);
        }
        synchronized (this) {
            long next = Long.MAX_VALUE;
            for (LeaderState l : retrying) {
                next = Math.min(next, l.isrWriteRetryAtMs);
            }
            return ready.isEmpty() ? next : now;
        }
    }

    private void write(LeaderState leader) {
        IsrChange change = leader.changeToWrite();
        if (change == null) {
            return;
        }
        StateUpdate result;
        try {
            result = store.updatePartitionState(leader.topicPartition(), change.expectedPartitionEpoch(),
                    change.next(), Optional.empty());
        } catch (CoordinationException e) {
            metrics.failedIsrUpdates.mark();
            backOff(leader, change, e);
            return;
        } catch (RuntimeException e) {
            LOG.error("{}: writing ISR {} failed unexpectedly; retrying", leader.topicPartition(), change.isr(), e);
            metrics.failedIsrUpdates.mark();
            backOff(leader, change, e);
            return;
        }
        if (result.outcome() == StateUpdate.Outcome.APPLIED) {
            (change.expansion() ? metrics.isrExpands : metrics.isrShrinks).mark();
        } else {
            metrics.failedIsrUpdates.mark();
        }
        leader.isrWriteCompleted(change, result);
    }

    private void backOff(LeaderState leader, IsrChange change, RuntimeException e) {
        synchronized (this) {
            int failures = ++leader.isrWriteFailures;
            long delay = Math.min(MAX_RETRY_MS, MIN_RETRY_MS << Math.min(failures - 1, 16));
            leader.isrWriteRetryAtMs = clock.getAsLong() + delay;
            if (!ready.contains(leader) && !retrying.contains(leader)) {
                retrying.add(leader);
            }
            LOG.warn("{}: cannot write ISR {} ({}); keeping it pending, retry {} in {} ms", leader.topicPartition(),
                    change.isr(), e.getMessage(), failures, delay);
        }
    }

    /** Forgets a leader whose leadership ended. */
    synchronized void forget(LeaderState leader) {
        ready.remove(leader);
        retrying.remove(leader);
    }
}
