package io.samsa.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A classic consumer group: state, generation, protocol, leader, members with their parked
 * requests and assignments, the rebalance's timers, and committed offsets. This class is the
 * only writer of all of it: every transition (joins, leaves, a new generation, the moves between
 * {@link GroupState}s with Kafka's legality checks) is a method here, and the request handlers
 * and {@link Rebalancer} decide when to call them.
 *
 * <p>Concurrency: one {@link ReentrantLock} per group, taken with {@link #lock()} by whoever
 * serves a request or a timer of this group and held across the whole decision; no code holds two
 * group locks at once. Every method expects the lock to be held (the writers assert it). Response
 * futures are never completed under the lock: methods that answer parked requests add the
 * completion to a {@link Deferred}, run by the caller after {@link #unlock()}, so a client's
 * continuation cannot run inside the group.
 */
final class ClassicGroup {
    private final String groupId;
    private final int partition;
    private final ReentrantLock lock = new ReentrantLock();

    private GroupState state = GroupState.EMPTY;
    /** When the group entered its state; -1 when unknown (loaded from an old record version). */
    private long stateTimestamp;
    private int generationId;
    /** Null until a member joined (or group metadata was loaded); a commit-only group has none. */
    private String protocolType;
    private String protocolName;
    private String leaderId;

    private final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    /** Members told MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers. */
    private final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();
    /** Members of the current generation that have not sent SyncGroup yet. */
    private final Set<String> pendingSyncMembers = new HashSet<>();
    private final Map<String, Integer> protocolCounts = new HashMap<>();
    private int numAwaitingJoin;

    /** A member joined while the first rebalance waits (group.initial.rebalance.delay.ms). */
    private boolean newMemberAdded;
    private boolean initialDelayActive;
    private int initialDelayRemainingMs;
    private ScheduledFuture<?> joinTimer;
    private ScheduledFuture<?> syncTimer;
    /** Incremented by every rebalance, so that a timer of an earlier one does nothing. */
    private long rebalanceSeq;

    private final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    /** Offset commits written but not yet acknowledged: the group must not be forgotten meanwhile. */
    private int pendingCommits;
    /** A group metadata record exists in the log, so removing the group needs a tombstone. */
    private boolean metadataStored;

    ClassicGroup(String groupId, int partition, long now) {
        this.groupId = groupId;
        this.partition = partition;
        this.stateTimestamp = now;
    }

    /**
     * The group as {@code __consumer_offsets} left it: its metadata record (null when only offsets
     * were committed) and its committed offsets. A group with members is Stable, else Empty; the
     * members' timers are not armed yet.
     */
    static ClassicGroup restore(String groupId, int partition, long now, StoredGroup stored,
            Map<TopicPartition, CommittedOffset> committed) {
        ClassicGroup g = new ClassicGroup(groupId, partition, now);
        g.lock();
        try {
            if (stored != null) {
                g.restoreMetadata(stored);
            }
            g.offsets.putAll(committed);
        } finally {
            g.unlock();
        }
        return g;
    }

    private void restoreMetadata(StoredGroup stored) {
        metadataStored = true;
        protocolType = stored.protocolType().isEmpty() ? null : stored.protocolType();
        generationId = stored.generation();
        protocolName = stored.protocol();
        boolean withMembers = !stored.members().isEmpty() && stored.protocol() != null;
        if (withMembers) {
            for (StoredGroup.Member m : stored.members()) {
                GroupMember member = new GroupMember(m.memberId(), m.groupInstanceId(), m.clientId(),
                        m.clientHost(), m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                        List.of(new GroupMember.Protocol(stored.protocol(), m.subscription())));
                member.setAssignment(m.assignment());
                add(member, protocolType, null);
            }
            if (stored.leader() != null && has(stored.leader())) {
                leaderId = stored.leader();
            }
        }
        // The log is the truth: no transition checks, the state is what was stored.
        state = withMembers ? GroupState.STABLE : GroupState.EMPTY;
        stateTimestamp = stored.currentStateTimestamp();
    }

    // ---- the lock

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    boolean isLockedByThisThread() {
        return lock.isHeldByCurrentThread();
    }

    private void checkLocked() {
        assert lock.isHeldByCurrentThread() : "group " + groupId + " changed without its lock";
    }

    // ---- reading

    String groupId() {
        return groupId;
    }

    int partition() {
        return partition;
    }

    GroupState state() {
        return state;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    long stateTimestamp() {
        return stateTimestamp;
    }

    int generationId() {
        return generationId;
    }

    String protocolType() {
        return protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    String leaderId() {
        return leaderId;
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    GroupMember get(String memberId) {
        return members.get(memberId);
    }

    /** The members in join order (a read-only view). */
    Collection<GroupMember> members() {
        return Collections.unmodifiableCollection(members.values());
    }

    int size() {
        return members.size();
    }

    boolean isLeader(String memberId) {
        return memberId != null && memberId.equals(leaderId);
    }

    String staticMemberId(String groupInstanceId) {
        return groupInstanceId == null ? null : staticMembers.get(groupInstanceId);
    }

    int numAwaitingJoin() {
        return numAwaitingJoin;
    }

    boolean isPendingMember(String memberId) {
        return pendingMembers.containsKey(memberId);
    }

    /** The members of this generation that have not sent SyncGroup yet (a copy). */
    List<String> pendingSyncMembers() {
        return new ArrayList<>(pendingSyncMembers);
    }

    /** Committed offsets (a read-only view). */
    Map<TopicPartition, CommittedOffset> offsets() {
        return Collections.unmodifiableMap(offsets);
    }

    boolean hasPendingCommits() {
        return pendingCommits > 0;
    }

    boolean isMetadataStored() {
        return metadataStored;
    }

    // ---- state transitions

    /** Moves to {@code target} if Kafka allows it from the current state. */
    void transitionTo(GroupState target, long now) {
        checkLocked();
        if (!target.validPrevious().contains(state)) {
            throw new IllegalStateException("Group " + groupId + " cannot move from " + state + " to " + target
                    + "; it may enter " + target + " only from " + target.validPrevious());
        }
        state = target;
        stateTimestamp = now;
    }

    /**
     * Serves the group again after its deletion could not be written: Dead back to Empty, with the
     * time it became empty. Only a deleted group may be revived.
     */
    void undoDeletion(long emptySince) {
        checkLocked();
        if (state != GroupState.DEAD) {
            throw new IllegalStateException("Group " + groupId + " cannot move from " + state + " to "
                    + GroupState.EMPTY + " as an undone deletion; only a " + GroupState.DEAD + " group can");
        }
        state = GroupState.EMPTY;
        stateTimestamp = emptySince;
    }

    /**
     * Ends the group here (deleted, expired or unloaded): stops its timers, answers every parked
     * request with {@code error} and moves to Dead.
     */
    void markDead(Errors error, long now, Deferred after) {
        checkLocked();
        cancel(joinTimer);
        cancel(syncTimer);
        joinTimer = null;
        syncTimer = null;
        rebalanceSeq++;
        for (ScheduledFuture<?> f : pendingMembers.values()) {
            f.cancel(false);
        }
        pendingMembers.clear();
        for (GroupMember m : members.values()) {
            m.cancelSessionTimer();
            completeJoin(m, JoinResponses.error(m.memberId(), error), after);
            completeSync(m, SyncResponses.error(error), after);
        }
        transitionTo(GroupState.DEAD, now);
    }

    /**
     * Starts a rebalance: PreparingRebalance, the timers of the previous phase cancelled.
     *
     * @return the new rebalance's number, for {@link #isRebalance(long)}
     */
    long prepareRebalance(long now) {
        transitionTo(GroupState.PREPARING_REBALANCE, now);
        cancel(syncTimer);
        syncTimer = null;
        cancel(joinTimer);
        joinTimer = null;
        initialDelayActive = false;
        return ++rebalanceSeq;
    }

    /** Whether {@code seq} is the rebalance in progress (or the last one). */
    boolean isRebalance(long seq) {
        return rebalanceSeq == seq;
    }

    long rebalanceSeq() {
        return rebalanceSeq;
    }

    /** The first rebalance of an empty group waits for more members, within {@code remainingMs} in all. */
    void startInitialDelay(int remainingMs) {
        checkLocked();
        initialDelayActive = true;
        initialDelayRemainingMs = remainingMs;
    }

    boolean inInitialDelay() {
        return initialDelayActive;
    }

    /**
     * When a member joined during the initial delay, and time remains, the delay is extended.
     *
     * @return how much longer to wait, or 0 to complete the join now
     */
    int extendInitialDelay(int delayMs) {
        checkLocked();
        if (!newMemberAdded || initialDelayRemainingMs <= 0) {
            return 0;
        }
        newMemberAdded = false;
        int delay = Math.min(delayMs, initialDelayRemainingMs);
        initialDelayRemainingMs = Math.max(initialDelayRemainingMs - delay, 0);
        return delay;
    }

    /** The timer that ends the join phase; replaces (and cancels) the previous one. */
    void setJoinTimer(ScheduledFuture<?> timer) {
        checkLocked();
        cancel(joinTimer);
        joinTimer = timer;
    }

    /** The timer that ends the sync phase; replaces (and cancels) the previous one. */
    void setSyncTimer(ScheduledFuture<?> timer) {
        checkLocked();
        cancel(syncTimer);
        syncTimer = timer;
    }

    /** The join phase is over: no join timer, no initial delay. */
    void endJoinPhase() {
        checkLocked();
        setJoinTimer(null);
        initialDelayActive = false;
    }

    /**
     * Starts the next generation: Kafka's {@code initNextGeneration}. With members it chooses
     * the protocol and moves to CompletingRebalance, every member owing a SyncGroup; without, to Empty.
     */
    void initNextGeneration(long now) {
        checkLocked();
        generationId++;
        if (!members.isEmpty()) {
            protocolName = selectProtocol();
            transitionTo(GroupState.COMPLETING_REBALANCE, now);
        } else {
            protocolName = null;
            transitionTo(GroupState.EMPTY, now);
        }
        pendingSyncMembers.clear();
        pendingSyncMembers.addAll(members.keySet());
    }

    // ---- membership

    /**
     * Adds a member; with {@code joinFuture} its JoinGroup is parked and it counts as new until the
     * join phase answers it. The first member sets the protocol type and becomes leader.
     */
    void add(GroupMember member, String memberProtocolType, CompletableFuture<JoinGroupResponseData> joinFuture) {
        checkLocked();
        if (members.containsKey(member.memberId())) {
            throw new IllegalStateException("Group " + groupId + " already has member " + member.memberId());
        }
        if (members.isEmpty()) {
            protocolType = memberProtocolType;
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
        members.put(member.memberId(), member);
        for (GroupMember.Protocol p : member.protocols()) {
            protocolCounts.merge(p.name(), 1, Integer::sum);
        }
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        member.swapAwaitingJoin(joinFuture);
        if (joinFuture != null) {
            numAwaitingJoin++;
            member.setNew(true);
            if (is(GroupState.PREPARING_REBALANCE) && generationId == 0) {
                newMemberAdded = true;
            }
        }
    }

    /** Removes a member and its bookkeeping; the caller completes its parked requests first. */
    GroupMember remove(String memberId) {
        checkLocked();
        GroupMember m = members.remove(memberId);
        if (m != null) {
            for (GroupMember.Protocol p : m.protocols()) {
                protocolCounts.merge(p.name(), -1, Integer::sum);
            }
            if (m.isAwaitingJoin()) {
                numAwaitingJoin--;
            }
            if (m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId()))) {
                staticMembers.remove(m.groupInstanceId());
            }
            m.cancelSessionTimer();
        }
        if (isLeader(memberId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
        pendingSyncMembers.remove(memberId);
        return m;
    }

    /**
     * Gives a static member a new member id; a request parked under the old id is answered
     * FENCED_INSTANCE_ID.
     */
    GroupMember replaceStaticMember(String groupInstanceId, String oldMemberId, String newMemberId, Deferred after) {
        checkLocked();
        GroupMember m = members.remove(oldMemberId);
        if (m == null) {
            throw new IllegalStateException("Group " + groupId + " has no member " + oldMemberId + " for instance "
                    + groupInstanceId);
        }
        CompletableFuture<JoinGroupResponseData> join = m.swapAwaitingJoin(null);
        if (join != null) {
            after.complete(join, JoinResponses.error(oldMemberId, Errors.FENCED_INSTANCE_ID));
            numAwaitingJoin--;
        }
        CompletableFuture<SyncGroupResponseData> sync = m.swapAwaitingSync(null);
        if (sync != null) {
            after.complete(sync, SyncResponses.error(Errors.FENCED_INSTANCE_ID));
        }
        m.setMemberId(newMemberId);
        members.put(newMemberId, m);
        staticMembers.put(groupInstanceId, newMemberId);
        if (isLeader(oldMemberId)) {
            leaderId = newMemberId;
        }
        if (pendingSyncMembers.remove(oldMemberId)) {
            pendingSyncMembers.add(newMemberId);
        }
        return m;
    }

    /**
     * A member's new protocols and timeouts, and its JoinGroup ({@code joinFuture}, null when none
     * is parked now); a JoinGroup parked before is superseded and answered UNKNOWN_MEMBER_ID.
     */
    void updateMember(GroupMember m, List<GroupMember.Protocol> protocols, int rebalanceTimeoutMs,
            int sessionTimeoutMs, CompletableFuture<JoinGroupResponseData> joinFuture, Deferred after) {
        checkLocked();
        for (GroupMember.Protocol p : m.protocols()) {
            protocolCounts.merge(p.name(), -1, Integer::sum);
        }
        for (GroupMember.Protocol p : protocols) {
            protocolCounts.merge(p.name(), 1, Integer::sum);
        }
        m.setProtocols(protocols);
        m.setTimeouts(rebalanceTimeoutMs, sessionTimeoutMs);
        CompletableFuture<JoinGroupResponseData> old = m.swapAwaitingJoin(joinFuture);
        if (old != null && joinFuture != null) {
            after.complete(old, JoinResponses.error(m.memberId(), Errors.UNKNOWN_MEMBER_ID));
        }
        if (joinFuture != null && old == null) {
            numAwaitingJoin++;
        } else if (joinFuture == null && old != null) {
            numAwaitingJoin--;
        }
    }

    /** Answers a member's parked JoinGroup, if any; an answered member is no longer new. */
    void completeJoin(GroupMember m, JoinGroupResponseData response, Deferred after) {
        checkLocked();
        CompletableFuture<JoinGroupResponseData> join = m.swapAwaitingJoin(null);
        if (join != null) {
            after.complete(join, response);
            numAwaitingJoin--;
        }
        m.setNew(false);
    }

    /** Answers a member's parked SyncGroup, if any. */
    void completeSync(GroupMember m, SyncGroupResponseData response, Deferred after) {
        checkLocked();
        CompletableFuture<SyncGroupResponseData> sync = m.swapAwaitingSync(null);
        if (sync != null) {
            after.complete(sync, response);
        }
    }

    /**
     * Parks a member's SyncGroup until the assignment is stored; one parked before is answered
     * UNKNOWN_MEMBER_ID. The member no longer owes a SyncGroup.
     */
    void awaitSync(GroupMember m, CompletableFuture<SyncGroupResponseData> future, Deferred after) {
        checkLocked();
        CompletableFuture<SyncGroupResponseData> old = m.swapAwaitingSync(future);
        if (old != null) {
            after.complete(old, SyncResponses.error(Errors.UNKNOWN_MEMBER_ID));
        }
        pendingSyncMembers.remove(m.memberId());
    }

    /** A member of a stable group sent its SyncGroup and got its assignment. */
    void markSynced(String memberId) {
        checkLocked();
        pendingSyncMembers.remove(memberId);
    }

    /**
     * Gives every member its part of {@code assignment} (empty when absent) and answers the parked
     * SyncGroups with it.
     *
     * @return the members whose SyncGroup was answered
     */
    List<GroupMember> setAndPropagateAssignment(Map<String, byte[]> assignment, Deferred after) {
        checkLocked();
        List<GroupMember> answered = new ArrayList<>();
        for (GroupMember m : members.values()) {
            m.setAssignment(assignment.getOrDefault(m.memberId(), GroupMember.EMPTY_BYTES));
            if (m.isAwaitingSync()) {
                completeSync(m, SyncResponses.assignment(this, m.assignment()), after);
                answered.add(m);
            }
        }
        return answered;
    }

    /**
     * Clears every member's assignment and answers the parked SyncGroups with {@code error}.
     *
     * @return the members whose SyncGroup was answered
     */
    List<GroupMember> resetAndPropagateAssignmentError(Errors error, Deferred after) {
        checkLocked();
        List<GroupMember> answered = new ArrayList<>();
        for (GroupMember m : members.values()) {
            m.setAssignment(GroupMember.EMPTY_BYTES);
            if (m.isAwaitingSync()) {
                completeSync(m, SyncResponses.error(error), after);
                answered.add(m);
            }
        }
        return answered;
    }

    /** Makes a rejoined member leader when the leader did not rejoin; false when nobody rejoined. */
    boolean maybeElectNewJoinedLeader() {
        checkLocked();
        if (leaderId == null) {
            return false;
        }
        GroupMember leader = members.get(leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (GroupMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = m.memberId();
                return true;
            }
        }
        return false;
    }

    // ---- members told MEMBER_ID_REQUIRED (KIP-394)

    /** Remembers a member id handed out, until {@code expiry} fires; replaces an earlier timer. */
    void addPendingMember(String memberId, ScheduledFuture<?> expiry) {
        checkLocked();
        cancel(pendingMembers.put(memberId, expiry));
    }

    /** Forgets a pending member (it joined, left or expired); false when it was not pending. */
    boolean removePendingMember(String memberId) {
        checkLocked();
        ScheduledFuture<?> expiry = pendingMembers.remove(memberId);
        cancel(expiry);
        return expiry != null;
    }

    // ---- protocol choice

    /** Kafka's check: an empty group takes any protocol type; otherwise a common protocol must remain. */
    boolean supportsProtocols(String memberProtocolType, List<GroupMember.Protocol> memberProtocols) {
        if (is(GroupState.EMPTY)) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (protocolType == null || !protocolType.equals(memberProtocolType)) {
            return false;
        }
        for (GroupMember.Protocol p : memberProtocols) {
            if (protocolCounts.getOrDefault(p.name(), 0) == members.size()) {
                return true;
            }
        }
        return false;
    }

    /** The protocols every member supports. */
    Set<String> candidateProtocols() {
        Set<String> candidates = new HashSet<>();
        protocolCounts.forEach((name, count) -> {
            if (count == members.size()) {
                candidates.add(name);
            }
        });
        return candidates;
    }

    /** Each member votes for its preferred candidate; the most votes win, ties going to the earliest member's. */
    String selectProtocol() {
        if (members.isEmpty()) {
            throw new IllegalStateException("Cannot select a protocol for empty group " + groupId);
        }
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (GroupMember m : members.values()) {
            votes.merge(m.vote(candidates), 1, Integer::sum);
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    boolean hasAllMembersJoined() {
        return members.size() == numAwaitingJoin && pendingMembers.isEmpty();
    }

    List<GroupMember> notYetRejoined() {
        List<GroupMember> out = new ArrayList<>();
        for (GroupMember m : members.values()) {
            if (!m.isAwaitingJoin()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The longest rebalance timeout among the members: how long a rebalance may wait for them. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (GroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs());
        }
        return max;
    }

    List<JoinGroupResponseData.JoinGroupResponseMember> currentMemberMetadata() {
        List<JoinGroupResponseData.JoinGroupResponseMember> out = new ArrayList<>(members.size());
        for (GroupMember m : members.values()) {
            out.add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId()).setMetadata(m.metadata(protocolName)));
        }
        return out;
    }

    // ---- what the log keeps

    /** The group as its metadata record stores it, with {@code assignment} (member id to bytes). */
    StoredGroup toStored(Map<String, byte[]> assignment) {
        List<StoredGroup.Member> stored = new ArrayList<>(members.size());
        for (GroupMember m : members.values()) {
            stored.add(new StoredGroup.Member(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), m.metadata(protocolName),
                    assignment.getOrDefault(m.memberId(), GroupMember.EMPTY_BYTES)));
        }
        return new StoredGroup(protocolType == null ? "" : protocolType, generationId, protocolName, leaderId,
                stateTimestamp, stored);
    }

    /** A metadata record is being written: removing the group will need a tombstone. */
    void markMetadataStored() {
        checkLocked();
        metadataStored = true;
    }

    Map<String, byte[]> currentAssignment() {
        Map<String, byte[]> out = new HashMap<>();
        for (GroupMember m : members.values()) {
            out.put(m.memberId(), m.assignment());
        }
        return out;
    }

    /** An offset commit is being written; the group stays until {@link #commitWritten()}. */
    void commitStarted() {
        checkLocked();
        pendingCommits++;
    }

    void commitWritten() {
        checkLocked();
        if (pendingCommits == 0) {
            throw new IllegalStateException("Group " + groupId + " has no offset commit in flight to complete");
        }
        pendingCommits--;
    }

    /** Records a written commit; of two for one partition, the one later in the log wins. */
    void putOffset(TopicPartition tp, CommittedOffset committed) {
        checkLocked();
        offsets.merge(tp, committed, (old, neu) -> old.logOffset() > neu.logOffset() ? old : neu);
    }

    void removeOffset(TopicPartition tp) {
        checkLocked();
        offsets.remove(tp);
    }

    void clearOffsets() {
        checkLocked();
        offsets.clear();
    }

    boolean isEmptyAndForgettable() {
        return is(GroupState.EMPTY) && members.isEmpty() && pendingMembers.isEmpty() && offsets.isEmpty()
                && pendingCommits == 0;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
