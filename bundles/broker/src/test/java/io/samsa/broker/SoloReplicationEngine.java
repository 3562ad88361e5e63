package io.samsa.broker;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.replication.FollowerFetchCheck;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.LocalReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaHost;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.ReplicationEngine;
import io.samsa.api.replication.ReplicationRuntime;

/**
 * Test stand-in until the replication bundle is merged; remove then.
 * <p>
 * Replication as it is for an ISR of one, whatever the stored ISR says: the leader is the only
 * in-sync replica, its high watermark is its log end offset after each append, an acks=all write
 * needs {@code min.insync.replicas} of 1 and is committed once the high watermark passes it, and
 * no follower may fetch. Tests can {@linkplain #stall stall} a partition's high watermark, as a
 * second in-sync replica that stopped fetching would.
 */
final class SoloReplicationEngine implements ReplicationEngine {

    private final Set<TopicPartition> stalled = ConcurrentHashMap.newKeySet();
    private final Set<Runtime> runtimes = ConcurrentHashMap.newKeySet();
    private volatile ReplicaHost lastHost;

    @Override
    public ReplicationRuntime start(ReplicaHost host) {
        Runtime r = new Runtime(host);
        runtimes.add(r);
        lastHost = host;
        return r;
    }

    /** The broker that started replication last. */
    ReplicaHost lastHost() {
        return lastHost;
    }

    /** The high watermark of {@code tp} stops at where it is. */
    void stall(TopicPartition tp) {
        stalled.add(tp);
    }

    /** The high watermark of {@code tp} catches up with the log end, and follows it again. */
    void resume(TopicPartition tp) {
        stalled.remove(tp);
        for (Runtime r : runtimes) {
            Leader l = r.leaders.get(tp);
            if (l != null) {
                l.appended(l.replica.logEndOffset());
            }
        }
    }

    private final class Runtime implements ReplicationRuntime {
        private final ReplicaHost host;
        final Map<TopicPartition, Leader> leaders = new ConcurrentHashMap<>();

        Runtime(ReplicaHost host) {
            this.host = host;
        }

        @Override
        public Optional<LeaderReplica> apply(LocalReplica replica, PartitionAssignment assignment,
                PartitionState state, ReplicaSettings settings) {
            TopicPartition tp = replica.topicPartition();
            Leader current = leaders.get(tp);
            if (state.leader() != host.brokerId()) {
                remove(tp);
                return Optional.empty();
            }
            if (current != null && current.replica == replica && current.epoch == state.leaderEpoch()) {
                current.settings = settings;
                return Optional.of(current);
            }
            remove(tp);
            Leader next = new Leader(host, replica, state.leaderEpoch(), settings);
            leaders.put(tp, next);
            next.appended(replica.logEndOffset()); // the only in-sync replica has all it holds
            return Optional.of(next);
        }

        @Override
        public void remove(TopicPartition partition) {
            Leader l = leaders.remove(partition);
            if (l != null) {
                l.end();
            }
        }

        @Override
        public void close() {
            runtimes.remove(this);
            List.copyOf(leaders.keySet()).forEach(this::remove);
        }
    }

    private final class Leader implements LeaderReplica {
        final ReplicaHost host;
        final LocalReplica replica;
        final int epoch;
        volatile ReplicaSettings settings;
        volatile boolean active = true;
        private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

        Leader(ReplicaHost host, LocalReplica replica, int epoch, ReplicaSettings settings) {
            this.host = host;
            this.replica = replica;
            this.epoch = epoch;
            this.settings = settings;
        }

        @Override
        public int leaderEpoch() {
            return epoch;
        }

        @Override
        public boolean active() {
            return active;
        }

        @Override
        public List<Integer> isr() {
            return List.of(host.brokerId());
        }

        @Override
        public Errors checkAppend(short acks) {
            if (!active || !host.holdsLease()) {
                return Errors.NOT_LEADER_OR_FOLLOWER;
            }
            return acks == -1 && settings.minInsyncReplicas() > 1 ? Errors.NOT_ENOUGH_REPLICAS : Errors.NONE;
        }

        @Override
        public void appended(long logEndOffset) {
            if (!active || stalled.contains(replica.topicPartition())) {
                return;
            }
            replica.updateHighWatermark(logEndOffset);
            long hw = replica.highWatermark();
            waiters.removeIf(w -> w.required <= hw && w.future.complete(Errors.NONE));
        }

        @Override
        public CompletionStage<Errors> awaitCommit(long requiredOffset, int timeoutMs) {
            Waiter w = new Waiter(requiredOffset, new CompletableFuture<>());
            waiters.add(w);
            if (!active) {
                w.future.complete(Errors.NOT_LEADER_OR_FOLLOWER);
            } else if (replica.highWatermark() >= requiredOffset) {
                w.future.complete(Errors.NONE);
            }
            w.future.completeOnTimeout(Errors.REQUEST_TIMED_OUT, timeoutMs, TimeUnit.MILLISECONDS);
            w.future.whenComplete((e, t) -> waiters.remove(w));
            return w.future;
        }

        @Override
        public FollowerFetchCheck checkFollowerFetch(int replicaId, long replicaEpoch, long fetchOffset,
                int lastFetchedEpoch) {
            return FollowerFetchCheck.refuse(Errors.NOT_LEADER_OR_FOLLOWER); // an ISR of one has no followers
        }

        @Override
        public void followerFetched(int replicaId, long replicaEpoch, long fetchOffset, long leaderLogEndOffset,
                long nowMs) {
        }

        void end() {
            active = false;
            for (Waiter w; (w = waiters.poll()) != null;) {
                w.future.complete(Errors.NOT_LEADER_OR_FOLLOWER);
            }
        }
    }

    private record Waiter(long required, CompletableFuture<Errors> future) {
    }
}
