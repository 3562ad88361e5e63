package io.samsa.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.LocalReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaHost;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.ReplicationRuntime;

/**
 * Replication for one running broker: a {@link LeaderState} per partition it leads, a
 * {@link ReplicaFetcherManager} for those it follows, and three kinds of threads whatever the
 * number of partitions: the fetchers (brokers × {@code num.replica.fetchers}), one ISR thread
 * ({@code samsa-isr-<broker>}: ISR writes and the periodic shrink check) and one timer thread
 * ({@code samsa-replication-timer-<broker>}: acks=all deadlines).
 */
final class BrokerReplication implements ReplicationRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerReplication.class);
    /** Resolution of acks=all deadlines. */
    static final long TIMER_TICK_MS = 10;

    private final ReplicaHost host;
    private final ReplicationConfig config;
    private final LongSupplier clock;
    private final TimerWheel timer;
    private final IsrUpdater isrUpdater;
    private final ReplicaFetcherManager fetchers;
    private final Map<TopicPartition, LeaderState> leaders = new ConcurrentHashMap<>();
    private final Object isrSignal = new Object();
    private final boolean threads;
    private final Thread isrThread;
    private final Thread timerThread;
    private volatile boolean running = true;
    private long nextShrinkCheckMs;
    private boolean isrWork;

    /**
     * @param threads false in unit tests: nothing runs unless the test calls {@link #runIsrWork},
     *                {@link #advanceTimer} or a fetcher's {@code doWork}
     */
    BrokerReplication(ReplicaHost host, ClusterMetadataStore store, ReplicationConfig config, LongSupplier clock,
            LeaderChannel.Factory channels, boolean threads) {
        this(host, store, config, clock, channels, threads, new ReplicationMetrics());
    }

    BrokerReplication(ReplicaHost host, ClusterMetadataStore store, ReplicationConfig config, LongSupplier clock,
            LeaderChannel.Factory channels, boolean threads, ReplicationMetrics metrics) {
        this.host = host;
        this.config = config;
        this.clock = clock;
        this.threads = threads;
        long now = clock.getAsLong();
        this.timer = new TimerWheel(TIMER_TICK_MS, 512, now);
        this.isrUpdater = new IsrUpdater(store, clock, this::signalIsrWork, metrics);
        this.fetchers = new ReplicaFetcherManager(host, config, clock, channels, threads);
        this.nextShrinkCheckMs = now + shrinkIntervalMs();
        if (threads) {
            isrThread = new Thread(this::isrLoop, "samsa-isr-" + host.brokerId());
            isrThread.setDaemon(true);
            timerThread = new Thread(this::timerLoop, "samsa-replication-timer-" + host.brokerId());
            timerThread.setDaemon(true);
            isrThread.start();
            timerThread.start();
        } else {
            isrThread = null;
            timerThread = null;
        }
    }

    private long shrinkIntervalMs() {
        return Math.max(1, config.replicaLagTimeMaxMs() / 2);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Not to be called under the partition's lock: leaving the follower role waits for the
     * fetcher's append in progress, which needs that lock.
     */
    @Override
    public synchronized Optional<LeaderReplica> apply(LocalReplica replica, PartitionAssignment assignment,
            PartitionState state, ReplicaSettings settings) {
        if (!running) {
            return Optional.empty();
        }
        TopicPartition tp = replica.topicPartition();
        int me = host.brokerId();
        LeaderState current = leaders.get(tp);
        if (state.leader() == me && assignment.contains(me)) {
            if (current != null && current.active() && current.replica() == replica) {
                if (current.leaderEpoch() == state.leaderEpoch()) {
                    current.update(assignment, state, settings);
                    return Optional.of(current);
                }
                if (current.leaderEpoch() > state.leaderEpoch()) {
                    LOG.debug("{}: ignoring state of leader epoch {}, leading epoch {}", tp, state.leaderEpoch(),
                            current.leaderEpoch());
                    return Optional.of(current);
                }
            }
            endLeadership(tp);
            return becomeLeader(replica, assignment, state, settings);
        }
        endLeadership(tp);
        if (state.leader() >= 0 && state.leader() != me && assignment.contains(me)) {
            fetchers.follow(replica, state.leader(), state.leaderEpoch());
        } else {
            fetchers.unfollow(tp);
        }
        return Optional.empty();
    }

    private Optional<LeaderReplica> becomeLeader(LocalReplica replica, PartitionAssignment assignment,
            PartitionState state, ReplicaSettings settings) {
        TopicPartition tp = replica.topicPartition();
        // Waits for an append of the old leader's data in progress: none may land after the epoch starts.
        fetchers.unfollow(tp);
        long logEnd = replica.logEndOffset();
        try {
            // Before anything is served: followers holding a later, uncommitted epoch learn from this
            // entry where ours begins, even before our first append (KIP-279).
            replica.assignEpochStartOffset(state.leaderEpoch(), logEnd);
        } catch (IOException | RuntimeException e) {
            LOG.error("{}: cannot start leader epoch {} at offset {}; not leading it", tp, state.leaderEpoch(), logEnd,
                    e);
            return Optional.empty();
        }
        LeaderState leader = new LeaderState(replica, host, assignment, state, settings, logEnd, clock,
                config.replicaLagTimeMaxMs(), timer, isrUpdater::submit);
        leaders.put(tp, leader);
        leader.start();
        LOG.info("{}: leader in epoch {} from offset {}, ISR {}, high watermark {}", tp, state.leaderEpoch(), logEnd,
                state.isr(), leader.highWatermark());
        return Optional.of(leader);
    }

    private void endLeadership(TopicPartition tp) {
        LeaderState old = leaders.remove(tp);
        if (old != null) {
            old.end();
            isrUpdater.forget(old);
            LOG.info("{}: no longer leader (epoch {})", tp, old.leaderEpoch());
        }
    }

    @Override
    public synchronized void remove(TopicPartition partition) {
        endLeadership(partition);
        fetchers.unfollow(partition);
    }

    /** False once closed. */
    boolean running() {
        return running;
    }

    /** The leadership of {@code tp}, if this broker leads it. */
    /** The partitions led here now. */
    Collection<LeaderState> leaders() {
        return leaders.values();
    }

    Optional<LeaderState> leader(TopicPartition tp) {
        return Optional.ofNullable(leaders.get(tp));
    }

    ReplicaFetcherManager fetchers() {
        return fetchers;
    }

    IsrUpdater isrUpdater() {
        return isrUpdater;
    }

    TimerWheel timer() {
        return timer;
    }

    // --- the ISR thread ---

    private void signalIsrWork() {
        synchronized (isrSignal) {
            isrWork = true;
            isrSignal.notifyAll();
        }
    }

    /**
     * One pass of the ISR thread: the shrink check when due, then every due write.
     *
     * @return how long until something is due
     */
    long runIsrWork() {
        long now = clock.getAsLong();
        if (now >= nextShrinkCheckMs) {
            nextShrinkCheckMs = now + shrinkIntervalMs();
            for (LeaderState l : leaders.values()) {
                l.maybeShrinkIsr();
            }
        }
        long nextRetry = isrUpdater.writeDue();
        long after = clock.getAsLong();
        return Math.max(0, Math.min(nextShrinkCheckMs, nextRetry) - after);
    }

    private void isrLoop() {
        while (running) {
            try {
                long waitMs = runIsrWork();
                synchronized (isrSignal) {
                    if (!isrWork && running && waitMs > 0) {
                        isrSignal.wait(waitMs);
                    }
                    isrWork = false;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("ISR thread task failed", e);
            }
        }
    }

    // --- the timer thread ---

    /** Expires acks=all deadlines up to now. */
    int advanceTimer() {
        return timer.advance(clock.getAsLong());
    }

    private void timerLoop() {
        while (running) {
            try {
                timer.awaitWork(1000);
                Thread.sleep(TIMER_TICK_MS);
                advanceTimer();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("Replication timer task failed", e);
            }
        }
    }

    @Override
    public void close() {
        List<LeaderState> ended;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            ended = new ArrayList<>(leaders.values());
            leaders.clear();
        }
        fetchers.close();
        for (LeaderState l : ended) {
            l.end();
            isrUpdater.forget(l);
        }
        if (threads) {
            isrThread.interrupt();
            timerThread.interrupt();
            try {
                isrThread.join(config.replicaSocketTimeoutMs());
                timerThread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
