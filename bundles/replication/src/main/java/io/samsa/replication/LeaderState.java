package io.samsa.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.replication.FollowerFetchCheck;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.LocalReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaHost;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.storage.EpochEndOffset;

/**
 * One leadership of one partition (one leader epoch): what each follower has, the ISR as stored
 * and as changing, the high watermark and the produces waiting for it.
 * <p>
 * Guarded by its own monitor, never the partition's lock: produce calls {@link #appended} under
 * that lock, follower fetches and the ISR thread come without it, and nothing here calls into
 * the replica while holding the monitor except cheap reads. The high watermark is published to
 * the replica and waiting produces are answered after leaving the monitor.
 * <p>
 * The high watermark is the lowest log end offset over the leader and the <em>maximal</em> ISR:
 * the stored ISR plus a follower being added, and during a shrink still the members being
 * removed, so that a failover to any replica the store may name keeps every acknowledged
 * record (KIP-497's reasoning). It never decreases, and it stands still while the stored ISR is
 * smaller than {@code min.insync.replicas} (capped at the replication factor): under min ISR no
 * write becomes visible, acks=1 included (KAFKA-15583).
 */
final class LeaderState implements LeaderReplica {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderState.class);

    /** What the leader knows of one follower, from its fetches. */
    static final class FollowerProgress {
        final int brokerId;
        /** -1 until it fetches in this leadership (or again after it restarted). */
        long logEndOffset = -1;
        long lastFetchLeaderLogEndOffset = -1;
        long lastFetchTimeMs;
        long lastCaughtUpTimeMs;
        /** The broker epoch its fetches carried, -1 until one did. */
        long brokerEpoch = -1;

        FollowerProgress(int brokerId) {
            this.brokerId = brokerId;
        }

        boolean caughtUp(long leaderLogEndOffset, long nowMs, long lagMs) {
            return logEndOffset == leaderLogEndOffset || nowMs - lastCaughtUpTimeMs <= lagMs;
        }

        /** Forgets what an earlier incarnation of the broker had (KIP-903): its log may be shorter now. */
        void reset(long newBrokerEpoch) {
            logEndOffset = -1;
            lastFetchLeaderLogEndOffset = -1;
            lastFetchTimeMs = 0;
            brokerEpoch = newBrokerEpoch;
        }
    }

    private final TopicPartition tp;
    private final LocalReplica replica;
    private final ReplicaHost host;
    private final int localId;
    private final int leaderEpoch;
    private final long epochStartOffset;
    private final LongSupplier clock;
    private final long lagMs;
    private final TimerWheel timer;
    private final Consumer<LeaderState> isrWrites;

    // guarded by this
    private PartitionAssignment assignment;
    private PartitionState committed;
    private IsrChange pending;
    /** Set when the store names another leader or epoch: no more ISR writes until apply() says otherwise. */
    private boolean isrChangesStopped;
    private int minInsyncReplicas;
    private FollowerProgress[] followers;
    /** The maximal ISR without the leader: where the high watermark looks. */
    private FollowerProgress[] maximalIsr;
    /** Members of the ISR whose LEO is unknown because they are not assigned replicas any more. */
    private boolean maximalIsrHasStranger;
    private final AckPurgatory purgatory = new AckPurgatory();
    /** ISR writes that failed to reach the coordinator in a row; guarded by the {@link IsrUpdater}. */
    int isrWriteFailures;
    /** When the updater tries again after such a failure; guarded by the {@link IsrUpdater}. */
    long isrWriteRetryAtMs;

    // read without the monitor
    private volatile boolean active = true;
    private volatile long highWatermark;
    private volatile long leaderLogEndOffset;
    private volatile List<Integer> isrView;
    /** How many replicas count as in sync for min.insync.replicas: in both the stored and the changing ISR. */
    private volatile int countedIsrSize;
    private volatile int effectiveMinIsr;

    private final AtomicBoolean publishing = new AtomicBoolean();
    private volatile long publishedHighWatermark = -1;

    /**
     * Starts the leadership. The caller has already started the epoch in the log
     * ({@link LocalReplica#assignEpochStartOffset}) at {@code epochStartOffset}.
     */
    LeaderState(LocalReplica replica, ReplicaHost host, PartitionAssignment assignment, PartitionState state,
            ReplicaSettings settings, long epochStartOffset, LongSupplier clock, long lagMs, TimerWheel timer,
            Consumer<LeaderState> isrWrites) {
        this.tp = replica.topicPartition();
        this.replica = replica;
        this.host = host;
        this.localId = host.brokerId();
        this.leaderEpoch = state.leaderEpoch();
        this.epochStartOffset = epochStartOffset;
        this.clock = clock;
        this.lagMs = lagMs;
        this.timer = timer;
        this.isrWrites = isrWrites;
        long leo = replica.logEndOffset();
        this.leaderLogEndOffset = leo;
        // Not the log end: what the log holds beyond the old high watermark may never have been
        // committed, and must not become visible before the followers have it.
        this.highWatermark = Math.max(0, Math.min(replica.highWatermark(), leo));
        long now = clock.getAsLong();
        synchronized (this) {
            this.assignment = assignment;
            this.committed = state;
            this.minInsyncReplicas = settings.minInsyncReplicas();
            this.followers = new FollowerProgress[0];
            rebuildFollowers(now, true);
            refreshViews();
        }
    }

    /**
     * Serves the leadership: a high watermark that the ISR as it stands allows moves up now (a
     * leader alone in its ISR has everything its log holds committed).
     */
    void start() {
        List<AckPurgatory.Waiter> completed;
        synchronized (this) {
            completed = maybeAdvanceHighWatermark();
        }
        afterAdvance(completed);
    }

    TopicPartition topicPartition() {
        return tp;
    }

    LocalReplica replica() {
        return replica;
    }

    @Override
    public int leaderEpoch() {
        return leaderEpoch;
    }

    @Override
    public boolean active() {
        return active;
    }

    @Override
    public List<Integer> isr() {
        return isrView;
    }

    long highWatermark() {
        return highWatermark;
    }

    /**
     * Kafka's UnderReplicatedPartitions: fewer replicas in sync than assigned, counting a
     * partition being reassigned by the replicas it had (those being added are not missing yet).
     */
    synchronized boolean underReplicated() {
        return active && committed.isr().size() < assignment.replicas().size() - assignment.adding().size();
    }

    /** Kafka's UnderMinIsrPartitionCount: acks=all writes are refused. */
    synchronized boolean underMinIsr() {
        return active && committed.isr().size() < effectiveMinIsr;
    }

    /** Kafka's AtMinIsrPartitionCount: one more replica lost and acks=all writes stop. */
    synchronized boolean atMinIsr() {
        return active && committed.isr().size() == effectiveMinIsr;
    }

    long epochStartOffset() {
        return epochStartOffset;
    }

    synchronized PartitionState committedState() {
        return committed;
    }

    synchronized IsrChange pendingChange() {
        return pending;
    }

    /** What the leader knows of follower {@code brokerId} (a copy), null for no assigned follower. */
    synchronized FollowerProgress progress(int brokerId) {
        FollowerProgress f = follower(brokerId);
        if (f == null) {
            return null;
        }
        FollowerProgress copy = new FollowerProgress(brokerId);
        copy.logEndOffset = f.logEndOffset;
        copy.lastFetchLeaderLogEndOffset = f.lastFetchLeaderLogEndOffset;
        copy.lastFetchTimeMs = f.lastFetchTimeMs;
        copy.lastCaughtUpTimeMs = f.lastCaughtUpTimeMs;
        copy.brokerEpoch = f.brokerEpoch;
        return copy;
    }

    synchronized int waiting() {
        return purgatory.size();
    }

    @Override
    public Errors checkAppend(short acks) {
        if (!active || !host.holdsLease()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (acks == -1 && countedIsrSize < effectiveMinIsr) {
            return Errors.NOT_ENOUGH_REPLICAS;
        }
        return Errors.NONE;
    }

    @Override
    public void appended(long logEndOffset) {
        List<AckPurgatory.Waiter> completed = null;
        synchronized (this) {
            if (!active) {
                return;
            }
            if (logEndOffset > leaderLogEndOffset) {
                leaderLogEndOffset = logEndOffset;
            }
            completed = maybeAdvanceHighWatermark();
        }
        afterAdvance(completed);
    }

    @Override
    public CompletionStage<Errors> awaitCommit(long requiredOffset, int timeoutMs) {
        AckPurgatory.Waiter w = new AckPurgatory.Waiter(requiredOffset);
        synchronized (this) {
            if (!active) {
                return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
            }
            if (highWatermark >= requiredOffset) {
                return CompletableFuture.completedFuture(commitOutcome());
            }
            purgatory.add(w);
            w.timeout = timer.schedule(clock.getAsLong() + Math.max(0, timeoutMs), () -> expire(w));
        }
        return w.future;
    }

    private void expire(AckPurgatory.Waiter w) {
        boolean timedOut;
        synchronized (this) {
            timedOut = purgatory.expire(w);
        }
        if (timedOut) {
            w.complete();
        }
    }

    /** The answer of a produce whose offset the high watermark passed. */
    private Errors commitOutcome() {
        return countedIsrSize < effectiveMinIsr ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND : Errors.NONE;
    }

    @Override
    public FollowerFetchCheck checkFollowerFetch(int replicaId, long replicaEpoch, long fetchOffset,
            int lastFetchedEpoch) {
        if (!active) {
            return FollowerFetchCheck.refuse(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        synchronized (this) {
            FollowerProgress f = follower(replicaId);
            if (f == null || refusesEpoch(f, replicaEpoch)) {
                return FollowerFetchCheck.refuse(Errors.NOT_LEADER_OR_FOLLOWER);
            }
            if (replicaEpoch > f.brokerEpoch) {
                f.reset(replicaEpoch);
            }
        }
        long logStart = replica.logStartOffset();
        if (lastFetchedEpoch >= 0) {
            EpochEndOffset end = replica.endOffsetForEpoch(lastFetchedEpoch);
            if (end.epoch() < 0 || end.endOffset() < 0 || fetchOffset < logStart) {
                // No epoch of ours at or below it: nothing to truncate to; the follower starts over.
                return FollowerFetchCheck.refuse(Errors.OFFSET_OUT_OF_RANGE);
            }
            if (end.epoch() < lastFetchedEpoch || end.endOffset() < fetchOffset) {
                return FollowerFetchCheck.diverged(end);
            }
        }
        if (fetchOffset < logStart || fetchOffset > replica.logEndOffset()) {
            return FollowerFetchCheck.refuse(Errors.OFFSET_OUT_OF_RANGE);
        }
        return FollowerFetchCheck.READ;
    }

    /** Whether a fetch with this broker epoch comes from an incarnation older than one seen or registered. */
    private boolean refusesEpoch(FollowerProgress f, long replicaEpoch) {
        if (replicaEpoch < 0) {
            return false;
        }
        if (replicaEpoch < f.brokerEpoch) {
            return true;
        }
        BrokerRegistration registered = registration(f.brokerId);
        return registered != null && registered.epoch() > 0 && replicaEpoch < registered.epoch();
    }

    private BrokerRegistration registration(int brokerId) {
        for (BrokerRegistration b : host.cluster().brokers()) {
            if (b.brokerId() == brokerId) {
                return b;
            }
        }
        return null;
    }

    @Override
    public void followerFetched(int replicaId, long replicaEpoch, long fetchOffset, long leaderLogEndOffset,
            long nowMs) {
        List<AckPurgatory.Waiter> completed;
        synchronized (this) {
            if (!active) {
                return;
            }
            FollowerProgress f = follower(replicaId);
            if (f == null || (replicaEpoch >= 0 && replicaEpoch < f.brokerEpoch)) {
                return;
            }
            if (replicaEpoch > f.brokerEpoch) {
                f.reset(replicaEpoch);
            }
            if (leaderLogEndOffset > this.leaderLogEndOffset) {
                this.leaderLogEndOffset = leaderLogEndOffset;
            }
            // Kafka's rule: caught up now if it asked for everything the leader had when the read
            // began; else caught up as of its previous fetch if it now has what the leader had then.
            if (fetchOffset >= leaderLogEndOffset) {
                f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
            } else if (f.lastFetchLeaderLogEndOffset >= 0 && fetchOffset >= f.lastFetchLeaderLogEndOffset) {
                f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
            }
            f.logEndOffset = fetchOffset;
            f.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
            f.lastFetchTimeMs = nowMs;
            maybeExpand(f);
            completed = maybeAdvanceHighWatermark();
        }
        afterAdvance(completed);
    }

    /**
     * The ISR thread's periodic check: members that have not caught up within
     * {@code replica.lag.time.max.ms} leave the ISR.
     */
    void maybeShrinkIsr() {
        List<AckPurgatory.Waiter> completed;
        synchronized (this) {
            if (!active || pending != null || isrChangesStopped) {
                return;
            }
            maybeShrink(clock.getAsLong());
            completed = maybeAdvanceHighWatermark();
        }
        afterAdvance(completed);
    }

    /** Called under the monitor. */
    private void maybeShrink(long now) {
        long leo = leaderLogEndOffset;
        List<Integer> keep = new ArrayList<>(committed.isr().size());
        for (int id : committed.isr()) {
            FollowerProgress f = id == localId ? null : follower(id);
            if (id == localId || (f != null && f.caughtUp(leo, now, lagMs))) {
                keep.add(id);
            }
        }
        if (keep.size() < committed.isr().size() && keep.contains(localId)) {
            startChange(IsrChange.of(committed, keep, false));
        }
    }

    /** Called under the monitor. */
    private void maybeExpand(FollowerProgress f) {
        if (pending != null || isrChangesStopped || committed.isr().contains(f.brokerId)) {
            return;
        }
        if (f.logEndOffset < highWatermark || f.logEndOffset < epochStartOffset) {
            return;
        }
        BrokerRegistration registered = registration(f.brokerId);
        if (registered == null || (f.brokerEpoch >= 0 && registered.epoch() > 0 && registered.epoch() != f.brokerEpoch)) {
            // Not live, or fetching as an incarnation the cluster no longer knows: not eligible (KIP-903).
            return;
        }
        List<Integer> grown = new ArrayList<>(committed.isr());
        grown.add(f.brokerId);
        startChange(IsrChange.of(committed, grown, true));
    }

    private void startChange(IsrChange change) {
        pending = change;
        LOG.info("{}: ISR {} -> {} (leader epoch {}, partition epoch {})", tp, committed.isr(), change.isr(),
                leaderEpoch, committed.partitionEpoch());
        refreshViews();
        isrWrites.accept(this);
    }

    /** What the ISR thread writes now: the pending change, or null when there is none. */
    synchronized IsrChange changeToWrite() {
        return active && !isrChangesStopped ? pending : null;
    }

    /** The outcome of writing {@code change}. */
    void isrWriteCompleted(IsrChange change, StateUpdate result) {
        List<AckPurgatory.Waiter> completed;
        synchronized (this) {
            if (!active) {
                return;
            }
            switch (result.outcome()) {
                case APPLIED -> {
                    PartitionState written = result.state().orElseThrow();
                    if (written.partitionEpoch() > committed.partitionEpoch()) {
                        committed = written;
                    }
                }
                case CONFLICT -> {
                    PartitionState found = result.state().orElse(null);
                    if (found != null && found.leader() == localId && found.leaderEpoch() == leaderEpoch) {
                        // Someone else (the controller) changed our ISR: that is the state to decide from
                        // now, whatever version we had cached (KAFKA-2729).
                        LOG.info("{}: ISR change {} lost to partition epoch {} (ISR {}); deciding again", tp,
                                change.isr(), found.partitionEpoch(), found.isr());
                        committed = found;
                    } else {
                        LOG.info("{}: ISR change {} refused: the store has {}; waiting for the broker to apply it",
                                tp, change.isr(), found == null ? "no state" : found);
                        isrChangesStopped = true;
                    }
                }
                case FENCED -> isrChangesStopped = true;
            }
            if (pending == change) {
                pending = null;
            }
            refreshViews();
            completed = advanceThenRecompute();
        }
        afterAdvance(completed);
    }

    /**
     * Called under the monitor after the committed state moved: the high watermark first (a
     * follower is compared with the high watermark the new ISR allows), then whether the ISR must
     * change again.
     */
    private List<AckPurgatory.Waiter> advanceThenRecompute() {
        List<AckPurgatory.Waiter> completed = maybeAdvanceHighWatermark();
        if (isrChangesStopped || pending != null) {
            return completed;
        }
        recomputeIsrChange();
        List<AckPurgatory.Waiter> more = maybeAdvanceHighWatermark();
        if (completed == null || completed.isEmpty()) {
            return more;
        }
        if (more != null) {
            completed = new ArrayList<>(completed);
            completed.addAll(more);
        }
        return completed;
    }

    /** Called under the monitor, after the committed state moved: whether the ISR must change again. */
    private void recomputeIsrChange() {
        maybeShrink(clock.getAsLong());
        if (pending == null) {
            for (FollowerProgress f : followers) {
                maybeExpand(f);
                if (pending != null) {
                    return;
                }
            }
        }
    }

    /**
     * The broker applied a newer state of this leadership's epoch (an ISR change, the controller's
     * or ours, read back from the store), a new assignment or new settings.
     */
    void update(PartitionAssignment newAssignment, PartitionState state, ReplicaSettings settings) {
        List<AckPurgatory.Waiter> completed;
        synchronized (this) {
            if (!active) {
                return;
            }
            boolean assignmentChanged = !newAssignment.equals(assignment);
            assignment = newAssignment;
            minInsyncReplicas = settings.minInsyncReplicas();
            if (state.partitionEpoch() > committed.partitionEpoch()) {
                committed = state;
                isrChangesStopped = false;
                // A queued change was decided from an older state; decide again from this one (an
                // in-flight write of it fails its compare and is re-read).
                pending = null;
            }
            if (assignmentChanged) {
                rebuildFollowers(clock.getAsLong(), false);
            }
            refreshViews();
            completed = advanceThenRecompute();
        }
        afterAdvance(completed);
    }

    /** Ends the leadership: waiting produces are answered NOT_LEADER_OR_FOLLOWER. */
    void end() {
        List<AckPurgatory.Waiter> completed = new ArrayList<>();
        synchronized (this) {
            if (!active) {
                return;
            }
            active = false;
            pending = null;
            purgatory.completeAll(Errors.NOT_LEADER_OR_FOLLOWER, completed);
        }
        for (AckPurgatory.Waiter w : completed) {
            w.complete();
        }
    }

    // --- under the monitor ---

    private FollowerProgress follower(int brokerId) {
        for (FollowerProgress f : followers) {
            if (f.brokerId == brokerId) {
                return f;
            }
        }
        return null;
    }

    /**
     * One progress per assigned replica but this broker; kept across an assignment change for
     * replicas that stay. At the start every ISR member counts as caught up now and its log end
     * as unknown until it fetches (Kafka's makeLeader).
     */
    private void rebuildFollowers(long now, boolean starting) {
        List<FollowerProgress> next = new ArrayList<>();
        for (int id : assignment.replicas()) {
            if (id == localId) {
                continue;
            }
            FollowerProgress f = follower(id);
            if (f == null) {
                f = new FollowerProgress(id);
                if (starting && committed.isr().contains(id)) {
                    f.lastCaughtUpTimeMs = now;
                }
            }
            next.add(f);
        }
        followers = next.toArray(new FollowerProgress[0]);
    }

    private void refreshViews() {
        List<Integer> target = pending != null ? pending.isr() : committed.isr();
        List<FollowerProgress> maximal = new ArrayList<>();
        boolean stranger = false;
        int counted = 0;
        for (int id : committed.isr()) {
            if (target.contains(id)) {
                counted++;
            }
        }
        for (int id : union(committed.isr(), target)) {
            if (id == localId) {
                continue;
            }
            FollowerProgress f = follower(id);
            if (f == null) {
                stranger = true;
            } else {
                maximal.add(f);
            }
        }
        maximalIsr = maximal.toArray(new FollowerProgress[0]);
        maximalIsrHasStranger = stranger;
        isrView = target;
        countedIsrSize = counted;
        effectiveMinIsr = Math.min(minInsyncReplicas, assignment.replicas().size());
    }

    private static List<Integer> union(List<Integer> a, List<Integer> b) {
        List<Integer> all = new ArrayList<>(a);
        for (int id : b) {
            if (!all.contains(id)) {
                all.add(id);
            }
        }
        return all;
    }

    /** @return the waiters to complete after leaving the monitor, or null */
    private List<AckPurgatory.Waiter> maybeAdvanceHighWatermark() {
        if (maximalIsrHasStranger || committed.isr().size() < effectiveMinIsr) {
            return null;
        }
        long candidate = leaderLogEndOffset;
        for (FollowerProgress f : maximalIsr) {
            if (f.logEndOffset < candidate) {
                candidate = f.logEndOffset;
            }
        }
        if (candidate <= highWatermark) {
            return null;
        }
        highWatermark = candidate;
        if (purgatory.size() == 0) {
            return List.of();
        }
        List<AckPurgatory.Waiter> completed = new ArrayList<>();
        purgatory.completeUpTo(candidate, commitOutcome(), completed);
        return completed;
    }

    /** Outside the monitor: tells the replica the new high watermark, then answers the produces. */
    private void afterAdvance(List<AckPurgatory.Waiter> completed) {
        if (completed == null) {
            return;
        }
        publishHighWatermark();
        for (AckPurgatory.Waiter w : completed) {
            w.complete();
        }
    }

    /**
     * Publishes without blocking: whoever finds another thread publishing leaves it to that one,
     * which loops until the latest value is out. A blocking lock here could deadlock with a
     * produce that holds the partition lock and advances the high watermark too.
     */
    private void publishHighWatermark() {
        while (publishing.compareAndSet(false, true)) {
            try {
                long hw;
                while ((hw = highWatermark) > publishedHighWatermark) {
                    publishedHighWatermark = hw;
                    replica.updateHighWatermark(hw);
                }
            } finally {
                publishing.set(false);
            }
            if (highWatermark <= publishedHighWatermark) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "leader of " + tp + " in epoch " + leaderEpoch;
    }
}
