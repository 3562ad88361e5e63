package io.samsa.group;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ProduceResult;

/**
 * When classic groups rebalance, and their timers: member sessions, the join phase (with the
 * initial delay of an empty group), the sync phase, member removal and storing the group's
 * metadata. The transitions themselves are {@link ClassicGroup}'s; this class decides when to make
 * them. Every method here expects the group's lock to be held, except the timer callbacks, which
 * take it.
 */
final class Rebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    /** How long a member that joined during a rebalance may wait without rejoining (Kafka's constant). */
    static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

    private final ScheduledExecutorService timer;
    private final GroupConfig config;
    private final CoordinatorLog log;

    Rebalancer(ScheduledExecutorService timer, GroupConfig config, CoordinatorLog log) {
        this.timer = timer;
        this.config = config;
        this.log = log;
    }

    static long now() {
        return System.currentTimeMillis();
    }

    // ---- member sessions

    /** Expects a heartbeat (or join) from {@code m} within {@code timeoutMs}. */
    void scheduleHeartbeat(ClassicGroup g, GroupMember m, long timeoutMs) {
        long nowNanos = System.nanoTime();
        long deadline = nowNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        m.setSessionDeadline(deadline);
        // Moving the deadline later leaves the timer alone: it re-arms when it fires early.
        if (!m.sessionTimerFiresBy(deadline)) {
            armHeartbeat(g, m, deadline - nowNanos);
        }
    }

    private void armHeartbeat(ClassicGroup g, GroupMember m, long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        m.armSessionTimer(timer.schedule(() -> onHeartbeatTimer(g, m, at), delayNanos, TimeUnit.NANOSECONDS), at);
    }

    private void onHeartbeatTimer(ClassicGroup g, GroupMember m, long at) {
        Deferred after = new Deferred();
        g.lock();
        try {
            if (g.is(GroupState.DEAD) || g.get(m.memberId()) != m || !m.isCurrentSessionTimer(at)) {
                return;
            }
            m.sessionTimerFired();
            long remaining = m.sessionDeadlineNanos() - System.nanoTime();
            if (remaining > 0) {
                armHeartbeat(g, m, remaining);
            } else if (m.isNew() || !(m.isAwaitingJoin() || m.isAwaitingSync())) {
                // Members parked in a rebalance are bounded by its timeout instead.
                LOG.info("Member {} in group {} has failed (session timeout), removing it", m.memberId(),
                        g.groupId());
                removeMember(g, m, "removing member " + m.memberId() + " on heartbeat expiration", after);
            }
        } finally {
            g.unlock();
            after.run();
        }
    }

    /** Removes a member, answering its parked requests with UNKNOWN_MEMBER_ID, and rebalances. */
    void removeMember(ClassicGroup g, GroupMember m, String reason, Deferred after) {
        g.completeJoin(m, JoinResponses.error("", Errors.UNKNOWN_MEMBER_ID), after);
        g.completeSync(m, SyncResponses.error(Errors.UNKNOWN_MEMBER_ID), after);
        g.remove(m.memberId());
        switch (g.state()) {
            case STABLE:
            case COMPLETING_REBALANCE:
                maybePrepareRebalance(g, reason, after);
                break;
            case PREPARING_REBALANCE:
                tryCompleteJoin(g, after);
                break;
            default:
                break;
        }
    }

    void addPendingMember(ClassicGroup g, String memberId, int sessionTimeoutMs) {
        g.addPendingMember(memberId, timer.schedule(() -> onPendingMemberExpired(g, memberId), sessionTimeoutMs,
                TimeUnit.MILLISECONDS));
    }

    private void onPendingMemberExpired(ClassicGroup g, String memberId) {
        Deferred after = new Deferred();
        g.lock();
        try {
            if (g.removePendingMember(memberId)) {
                LOG.info("Pending member {} in group {} has been removed after session timeout", memberId,
                        g.groupId());
                tryCompleteJoin(g, after);
            }
        } finally {
            g.unlock();
            after.run();
        }
    }

    // ---- the join phase

    void maybePrepareRebalance(ClassicGroup g, String reason, Deferred after) {
        if (g.is(GroupState.STABLE) || g.is(GroupState.COMPLETING_REBALANCE) || g.is(GroupState.EMPTY)) {
            prepareRebalance(g, reason, after);
        }
    }

    void prepareRebalance(ClassicGroup g, String reason, Deferred after) {
        if (g.is(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentError(g, Errors.REBALANCE_IN_PROGRESS, after);
        }
        boolean initial = g.is(GroupState.EMPTY);
        long seq = g.prepareRebalance(now());
        int rebalanceTimeout = g.rebalanceTimeoutMs();
        LOG.info("Preparing to rebalance group {} with old generation {} ({})", g.groupId(), g.generationId(),
                reason);
        if (initial) {
            int delay = config.initialRebalanceDelayMs();
            g.startInitialDelay(Math.max(rebalanceTimeout - delay, 0));
            g.setJoinTimer(schedule(() -> onInitialDelay(g, seq), delay));
        } else {
            g.setJoinTimer(schedule(() -> onJoinDeadline(g, seq), rebalanceTimeout));
            tryCompleteJoin(g, after);
        }
    }

    private void onInitialDelay(ClassicGroup g, long seq) {
        Deferred after = new Deferred();
        g.lock();
        try {
            if (!g.isRebalance(seq) || !g.is(GroupState.PREPARING_REBALANCE) || !g.inInitialDelay()) {
                return;
            }
            // New members keep arriving: wait once more, within the rebalance timeout.
            int extension = g.extendInitialDelay(config.initialRebalanceDelayMs());
            if (extension > 0) {
                g.setJoinTimer(schedule(() -> onInitialDelay(g, seq), extension));
            } else {
                completeJoin(g, after);
            }
        } finally {
            g.unlock();
            after.run();
        }
    }

    private void onJoinDeadline(ClassicGroup g, long seq) {
        Deferred after = new Deferred();
        g.lock();
        try {
            if (g.isRebalance(seq) && g.is(GroupState.PREPARING_REBALANCE)) {
                completeJoin(g, after);
            }
        } finally {
            g.unlock();
            after.run();
        }
    }

    /** Completes the join phase once every known member has rejoined (outside the initial delay). */
    void tryCompleteJoin(ClassicGroup g, Deferred after) {
        if (g.is(GroupState.PREPARING_REBALANCE) && !g.inInitialDelay() && g.hasAllMembersJoined()) {
            completeJoin(g, after);
        }
    }

    private void completeJoin(ClassicGroup g, Deferred after) {
        g.endJoinPhase();
        for (GroupMember m : g.notYetRejoined()) {
            if (!m.isStatic()) {
                LOG.info("Removing member {} of group {}: it did not rejoin in time", m.memberId(), g.groupId());
                g.completeSync(m, SyncResponses.error(Errors.UNKNOWN_MEMBER_ID), after);
                g.remove(m.memberId());
            }
        }
        if (!g.maybeElectNewJoinedLeader() && g.size() > 0) {
            // Only static members that have not rejoined remain: wait for them or their session expiry.
            long seq = g.rebalanceSeq();
            g.setJoinTimer(schedule(() -> onJoinDeadline(g, seq), g.rebalanceTimeoutMs()));
            return;
        }
        g.initNextGeneration(now());
        if (g.is(GroupState.EMPTY)) {
            LOG.info("Group {} with generation {} is now empty", g.groupId(), g.generationId());
            storeGroup(g, Map.of()).thenAccept(r -> {
                if (r.error() != Errors.NONE) {
                    LOG.warn("Failed to write empty metadata for group {}: {}", g.groupId(), r.error());
                }
            });
            return;
        }
        LOG.info("Stabilized group {} generation {} with {} members", g.groupId(), g.generationId(), g.size());
        for (GroupMember m : g.members()) {
            List<JoinGroupResponseData.JoinGroupResponseMember> members = g.isLeader(m.memberId())
                    ? g.currentMemberMetadata() : List.of();
            g.completeJoin(m, JoinResponses.success(g, m.memberId(), g.leaderId(), members, false), after);
            scheduleHeartbeat(g, m, m.sessionTimeoutMs());
        }
        schedulePendingSync(g);
    }

    // ---- the sync phase

    private void schedulePendingSync(ClassicGroup g) {
        int generation = g.generationId();
        g.setSyncTimer(schedule(() -> onSyncDeadline(g, generation), g.rebalanceTimeoutMs()));
    }

    private void onSyncDeadline(ClassicGroup g, int generation) {
        Deferred after = new Deferred();
        g.lock();
        try {
            List<String> missing = g.pendingSyncMembers();
            if (g.generationId() != generation || missing.isEmpty()
                    || !(g.is(GroupState.COMPLETING_REBALANCE) || g.is(GroupState.STABLE))) {
                return;
            }
            for (String id : missing) {
                GroupMember m = g.get(id);
                if (m != null) {
                    g.completeJoin(m, JoinResponses.error("", Errors.UNKNOWN_MEMBER_ID), after);
                    g.remove(id);
                }
            }
            prepareRebalance(g, "removing " + missing + " on pending sync request expiration", after);
        } finally {
            g.unlock();
            after.run();
        }
    }

    void resetAndPropagateAssignmentError(ClassicGroup g, Errors error, Deferred after) {
        for (GroupMember m : g.resetAndPropagateAssignmentError(error, after)) {
            // Its session timer stopped while it waited; it runs again from now.
            scheduleHeartbeat(g, m, m.sessionTimeoutMs());
        }
    }

    /** Gives every member its assignment and answers parked SyncGroups. */
    void setAndPropagateAssignment(ClassicGroup g, Map<String, byte[]> assignment, Deferred after) {
        for (GroupMember m : g.setAndPropagateAssignment(assignment, after)) {
            scheduleHeartbeat(g, m, m.sessionTimeoutMs());
        }
    }

    /** Writes the group's metadata record with {@code assignment}; completes on the timer thread. */
    CompletableFuture<ProduceResult> storeGroup(ClassicGroup g, Map<String, byte[]> assignment) {
        CoordinatorLog.Entry entry = new CoordinatorLog.Entry(CoordinatorRecords.groupKey(g.groupId()),
                CoordinatorRecords.groupValue(g.toStored(assignment)));
        g.markMetadataStored();
        return log.append(g.partition(), List.of(entry), now());
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMs) {
        return timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }
}
