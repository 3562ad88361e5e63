package io.samsa.group;

import java.util.ArrayList;
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
 * The rebalance state machine of classic groups and its timers: member sessions, the join phase
 * (with the initial delay of an empty group), the sync phase, member removal and storing the
 * group's metadata. Every method here expects the group's lock to be held, except the timer
 * callbacks, which take it.
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
        m.heartbeatDeadlineNanos = deadline;
        // Moving the deadline later leaves the timer alone: it re-arms when it fires early.
        if (m.heartbeatTimer == null || m.heartbeatTimerAtNanos - deadline > 0) {
            m.cancelHeartbeat();
            armHeartbeat(g, m, deadline - nowNanos);
        }
    }

    private void armHeartbeat(ClassicGroup g, GroupMember m, long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        m.heartbeatTimerAtNanos = at;
        m.heartbeatTimer = timer.schedule(() -> onHeartbeatTimer(g, m, at), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void onHeartbeatTimer(ClassicGroup g, GroupMember m, long at) {
        Deferred after = new Deferred();
        g.lock.lock();
        try {
            if (g.is(GroupState.DEAD) || g.get(m.memberId) != m || m.heartbeatTimer == null
                    || m.heartbeatTimerAtNanos != at) {
                return;
            }
            m.heartbeatTimer = null;
            long remaining = m.heartbeatDeadlineNanos - System.nanoTime();
            if (remaining > 0) {
                armHeartbeat(g, m, remaining);
            } else if (m.isNew || !(m.isAwaitingJoin() || m.isAwaitingSync())) {
                // Members parked in a rebalance are bounded by its timeout instead.
                LOG.info("Member {} in group {} has failed (session timeout), removing it", m.memberId, g.groupId);
                removeMember(g, m, "removing member " + m.memberId + " on heartbeat expiration", after);
            }
        } finally {
            g.lock.unlock();
            after.run();
        }
    }

    /** Removes a member, answering its parked requests with UNKNOWN_MEMBER_ID, and rebalances. */
    void removeMember(ClassicGroup g, GroupMember m, String reason, Deferred after) {
        g.completeJoin(m, JoinResponses.error("", Errors.UNKNOWN_MEMBER_ID), after);
        g.completeSync(m, SyncResponses.error(Errors.UNKNOWN_MEMBER_ID), after);
        g.remove(m.memberId);
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
        ScheduledFuture<?> f = timer.schedule(() -> onPendingMemberExpired(g, memberId), sessionTimeoutMs,
                TimeUnit.MILLISECONDS);
        ScheduledFuture<?> old = g.pendingMembers.put(memberId, f);
        if (old != null) {
            old.cancel(false);
        }
    }

    /** Forgets a pending member (it joined, left or expired). */
    void removePendingMember(ClassicGroup g, String memberId) {
        ScheduledFuture<?> f = g.pendingMembers.remove(memberId);
        if (f != null) {
            f.cancel(false);
        }
    }

    private void onPendingMemberExpired(ClassicGroup g, String memberId) {
        Deferred after = new Deferred();
        g.lock.lock();
        try {
            if (g.pendingMembers.remove(memberId) != null) {
                LOG.info("Pending member {} in group {} has been removed after session timeout", memberId,
                        g.groupId);
                if (g.is(GroupState.PREPARING_REBALANCE)) {
                    tryCompleteJoin(g, after);
                }
            }
        } finally {
            g.lock.unlock();
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
        cancel(g.syncTimer);
        g.syncTimer = null;
        cancel(g.joinTimer);
        boolean initial = g.is(GroupState.EMPTY);
        g.transitionTo(GroupState.PREPARING_REBALANCE, now());
        long seq = ++g.rebalanceSeq;
        int rebalanceTimeout = g.rebalanceTimeoutMs();
        LOG.info("Preparing to rebalance group {} with old generation {} ({})", g.groupId, g.generationId, reason);
        if (initial) {
            int delay = config.initialRebalanceDelayMs();
            g.initialDelayActive = true;
            g.initialDelayRemainingMs = Math.max(rebalanceTimeout - delay, 0);
            g.joinTimer = schedule(() -> onInitialDelay(g, seq), delay);
        } else {
            g.initialDelayActive = false;
            g.joinTimer = schedule(() -> onJoinDeadline(g, seq), rebalanceTimeout);
            tryCompleteJoin(g, after);
        }
    }

    private void onInitialDelay(ClassicGroup g, long seq) {
        Deferred after = new Deferred();
        g.lock.lock();
        try {
            if (g.rebalanceSeq != seq || !g.is(GroupState.PREPARING_REBALANCE) || !g.initialDelayActive) {
                return;
            }
            if (g.newMemberAdded && g.initialDelayRemainingMs > 0) {
                // New members keep arriving: wait once more, within the rebalance timeout.
                g.newMemberAdded = false;
                int delay = Math.min(config.initialRebalanceDelayMs(), g.initialDelayRemainingMs);
                g.initialDelayRemainingMs = Math.max(g.initialDelayRemainingMs - delay, 0);
                g.joinTimer = schedule(() -> onInitialDelay(g, seq), delay);
            } else {
                completeJoin(g, after);
            }
        } finally {
            g.lock.unlock();
            after.run();
        }
    }

    private void onJoinDeadline(ClassicGroup g, long seq) {
        Deferred after = new Deferred();
        g.lock.lock();
        try {
            if (g.rebalanceSeq == seq && g.is(GroupState.PREPARING_REBALANCE)) {
                completeJoin(g, after);
            }
        } finally {
            g.lock.unlock();
            after.run();
        }
    }

    /** Completes the join phase once every known member has rejoined (outside the initial delay). */
    void tryCompleteJoin(ClassicGroup g, Deferred after) {
        if (g.is(GroupState.PREPARING_REBALANCE) && !g.initialDelayActive && g.hasAllMembersJoined()) {
            completeJoin(g, after);
        }
    }

    private void completeJoin(ClassicGroup g, Deferred after) {
        cancel(g.joinTimer);
        g.joinTimer = null;
        g.initialDelayActive = false;
        for (GroupMember m : g.notYetRejoined()) {
            if (!m.isStatic()) {
                LOG.info("Removing member {} of group {}: it did not rejoin in time", m.memberId, g.groupId);
                g.completeSync(m, SyncResponses.error(Errors.UNKNOWN_MEMBER_ID), after);
                g.remove(m.memberId);
            }
        }
        if (!g.maybeElectNewJoinedLeader() && !g.members.isEmpty()) {
            // Only static members that have not rejoined remain: wait for them or their session expiry.
            long seq = g.rebalanceSeq;
            g.joinTimer = schedule(() -> onJoinDeadline(g, seq), g.rebalanceTimeoutMs());
            return;
        }
        g.initNextGeneration(now());
        if (g.is(GroupState.EMPTY)) {
            LOG.info("Group {} with generation {} is now empty", g.groupId, g.generationId);
            storeGroup(g, Map.of()).thenAccept(r -> {
                if (r.error() != Errors.NONE) {
                    LOG.warn("Failed to write empty metadata for group {}: {}", g.groupId, r.error());
                }
            });
            return;
        }
        LOG.info("Stabilized group {} generation {} with {} members", g.groupId, g.generationId, g.members.size());
        for (GroupMember m : g.members.values()) {
            List<JoinGroupResponseData.JoinGroupResponseMember> members = g.isLeader(m.memberId)
                    ? g.currentMemberMetadata() : List.of();
            g.completeJoin(m, JoinResponses.success(g, m.memberId, g.leaderId, members, false), after);
            scheduleHeartbeat(g, m, m.sessionTimeoutMs);
            m.isNew = false;
        }
        schedulePendingSync(g);
    }

    // ---- the sync phase

    private void schedulePendingSync(ClassicGroup g) {
        cancel(g.syncTimer);
        int generation = g.generationId;
        g.syncTimer = schedule(() -> onSyncDeadline(g, generation), g.rebalanceTimeoutMs());
    }

    private void onSyncDeadline(ClassicGroup g, int generation) {
        Deferred after = new Deferred();
        g.lock.lock();
        try {
            if (g.generationId != generation || g.pendingSyncMembers.isEmpty()
                    || !(g.is(GroupState.COMPLETING_REBALANCE) || g.is(GroupState.STABLE))) {
                return;
            }
            List<String> missing = new ArrayList<>(g.pendingSyncMembers);
            for (String id : missing) {
                GroupMember m = g.get(id);
                if (m != null) {
                    g.completeJoin(m, JoinResponses.error("", Errors.UNKNOWN_MEMBER_ID), after);
                    g.remove(id);
                }
            }
            prepareRebalance(g, "removing " + missing + " on pending sync request expiration", after);
        } finally {
            g.lock.unlock();
            after.run();
        }
    }

    void resetAndPropagateAssignmentError(ClassicGroup g, Errors error, Deferred after) {
        for (GroupMember m : g.members.values()) {
            m.assignment = GroupMember.EMPTY_BYTES;
            if (m.isAwaitingSync()) {
                g.completeSync(m, SyncResponses.error(error), after);
                // Its session timer stopped while it waited; it runs again from now.
                scheduleHeartbeat(g, m, m.sessionTimeoutMs);
            }
        }
    }

    /** Gives every member its assignment and answers parked SyncGroups. */
    void setAndPropagateAssignment(ClassicGroup g, Map<String, byte[]> assignment, Deferred after) {
        for (GroupMember m : g.members.values()) {
            m.assignment = assignment.getOrDefault(m.memberId, GroupMember.EMPTY_BYTES);
            if (m.isAwaitingSync()) {
                g.completeSync(m, SyncResponses.assignment(g, m.assignment), after);
                scheduleHeartbeat(g, m, m.sessionTimeoutMs);
            }
        }
    }

    /** Writes the group's metadata record with {@code assignment}; completes on the timer thread. */
    CompletableFuture<ProduceResult> storeGroup(ClassicGroup g, Map<String, byte[]> assignment) {
        CoordinatorLog.Entry entry = new CoordinatorLog.Entry(CoordinatorRecords.groupKey(g.groupId),
                CoordinatorRecords.groupValue(g.toStored(assignment)));
        g.metadataStored = true;
        return log.append(g.partition, List.of(entry), now());
    }

    /** Stops every timer of a group that is being unloaded or deleted and answers its parked requests. */
    void shutdown(ClassicGroup g, Errors error, Deferred after) {
        cancel(g.joinTimer);
        cancel(g.syncTimer);
        g.joinTimer = null;
        g.syncTimer = null;
        g.rebalanceSeq++;
        for (ScheduledFuture<?> f : g.pendingMembers.values()) {
            f.cancel(false);
        }
        g.pendingMembers.clear();
        for (GroupMember m : g.members.values()) {
            m.cancelHeartbeat();
            g.completeJoin(m, JoinResponses.error(m.memberId, error), after);
            g.completeSync(m, SyncResponses.error(error), after);
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMs) {
        return timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
