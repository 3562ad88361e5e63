package io.samsa.group;

import java.util.ArrayList;
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
 * A classic consumer group: membership, generation, committed offsets. Every field is guarded
 * by {@link #lock}; the membership bookkeeping (protocol counts, awaiting joins, static member
 * ids) is kept consistent by the methods here.
 */
final class ClassicGroup {
    final String groupId;
    final int partition;
    final ReentrantLock lock = new ReentrantLock();

    private GroupState state = GroupState.EMPTY;
    /** When the group entered its state; -1 when unknown (loaded from an old record version). */
    long stateTimestamp;
    int generationId;
    /** Null until a member joined (or group metadata was loaded); a commit-only group has none. */
    String protocolType;
    String protocolName;
    String leaderId;

    final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    /** Members told MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers. */
    final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();
    /** Members of the current generation that have not sent SyncGroup yet. */
    final Set<String> pendingSyncMembers = new HashSet<>();
    private final Map<String, Integer> protocolCounts = new HashMap<>();
    private int numAwaitingJoin;

    /** A member joined while the first rebalance waits (group.initial.rebalance.delay.ms). */
    boolean newMemberAdded;
    boolean initialDelayActive;
    int initialDelayRemainingMs;
    ScheduledFuture<?> joinTimer;
    ScheduledFuture<?> syncTimer;
    /** Incremented by every rebalance, so that a timer of an earlier one does nothing. */
    long rebalanceSeq;

    final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    /** Offset commits written but not yet acknowledged: the group must not be forgotten meanwhile. */
    int pendingCommits;
    /** A group metadata record exists in the log, so removing the group needs a tombstone. */
    boolean metadataStored;

    ClassicGroup(String groupId, int partition, long now) {
        this.groupId = groupId;
        this.partition = partition;
        this.stateTimestamp = now;
    }

    GroupState state() {
        return state;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    void transitionTo(GroupState target, long now) {
        if (!target.validPrevious().contains(state)) {
            throw new IllegalStateException("Group " + groupId + " cannot move from " + state + " to " + target);
        }
        state = target;
        stateTimestamp = now;
    }

    /** Restores a loaded state without transition checks. */
    void restoreState(GroupState s, long timestamp) {
        state = s;
        stateTimestamp = timestamp;
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    GroupMember get(String memberId) {
        return members.get(memberId);
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

    void add(GroupMember member, String memberProtocolType, CompletableFuture<JoinGroupResponseData> joinFuture) {
        if (members.isEmpty()) {
            protocolType = memberProtocolType;
        }
        if (leaderId == null) {
            leaderId = member.memberId;
        }
        members.put(member.memberId, member);
        for (GroupMember.Protocol p : member.protocols) {
            protocolCounts.merge(p.name(), 1, Integer::sum);
        }
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId, member.memberId);
        }
        member.awaitingJoin = joinFuture;
        if (joinFuture != null) {
            numAwaitingJoin++;
        }
    }

    /** Removes a member and its bookkeeping; the caller completes its parked requests first. */
    GroupMember remove(String memberId) {
        GroupMember m = members.remove(memberId);
        if (m != null) {
            for (GroupMember.Protocol p : m.protocols) {
                protocolCounts.merge(p.name(), -1, Integer::sum);
            }
            if (m.isAwaitingJoin()) {
                numAwaitingJoin--;
            }
            if (m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId))) {
                staticMembers.remove(m.groupInstanceId);
            }
            m.cancelHeartbeat();
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
        GroupMember m = members.remove(oldMemberId);
        if (m == null) {
            throw new IllegalStateException("No member " + oldMemberId + " for instance " + groupInstanceId);
        }
        if (m.awaitingJoin != null) {
            after.complete(m.awaitingJoin, JoinResponses.error(oldMemberId, Errors.FENCED_INSTANCE_ID));
            m.awaitingJoin = null;
            numAwaitingJoin--;
        }
        if (m.awaitingSync != null) {
            after.complete(m.awaitingSync, SyncResponses.error(Errors.FENCED_INSTANCE_ID));
            m.awaitingSync = null;
        }
        m.memberId = newMemberId;
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

    void updateMember(GroupMember m, List<GroupMember.Protocol> protocols, int rebalanceTimeoutMs,
            int sessionTimeoutMs, CompletableFuture<JoinGroupResponseData> joinFuture, Deferred after) {
        for (GroupMember.Protocol p : m.protocols) {
            protocolCounts.merge(p.name(), -1, Integer::sum);
        }
        for (GroupMember.Protocol p : protocols) {
            protocolCounts.merge(p.name(), 1, Integer::sum);
        }
        m.protocols = protocols;
        m.rebalanceTimeoutMs = rebalanceTimeoutMs;
        m.sessionTimeoutMs = sessionTimeoutMs;
        if (m.awaitingJoin != null && joinFuture != null) {
            // A retried JoinGroup supersedes the parked one.
            after.complete(m.awaitingJoin, JoinResponses.error(m.memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        if (joinFuture != null && m.awaitingJoin == null) {
            numAwaitingJoin++;
        } else if (joinFuture == null && m.awaitingJoin != null) {
            numAwaitingJoin--;
        }
        m.awaitingJoin = joinFuture;
    }

    /** Answers a member's parked JoinGroup, if any. */
    void completeJoin(GroupMember m, JoinGroupResponseData response, Deferred after) {
        if (m.awaitingJoin != null) {
            after.complete(m.awaitingJoin, response);
            m.awaitingJoin = null;
            numAwaitingJoin--;
        }
    }

    /** Answers a member's parked SyncGroup, if any. */
    void completeSync(GroupMember m, SyncGroupResponseData response, Deferred after) {
        if (m.awaitingSync != null) {
            after.complete(m.awaitingSync, response);
            m.awaitingSync = null;
        }
    }

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

    /** Makes a rejoined member leader when the leader did not rejoin; false when nobody rejoined. */
    boolean maybeElectNewJoinedLeader() {
        if (leaderId == null) {
            return false;
        }
        GroupMember leader = members.get(leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (GroupMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = m.memberId;
                return true;
            }
        }
        return false;
    }

    void initNextGeneration(long now) {
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

    /** The longest rebalance timeout among the members: how long a rebalance may wait for them. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (GroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    List<JoinGroupResponseData.JoinGroupResponseMember> currentMemberMetadata() {
        List<JoinGroupResponseData.JoinGroupResponseMember> out = new ArrayList<>(members.size());
        for (GroupMember m : members.values()) {
            out.add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId)
                    .setGroupInstanceId(m.groupInstanceId).setMetadata(m.metadata(protocolName)));
        }
        return out;
    }

    /** The group as its metadata record stores it, with {@code assignment} (member id to bytes). */
    StoredGroup toStored(Map<String, byte[]> assignment) {
        List<StoredGroup.Member> stored = new ArrayList<>(members.size());
        for (GroupMember m : members.values()) {
            stored.add(new StoredGroup.Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.metadata(protocolName),
                    assignment.getOrDefault(m.memberId, GroupMember.EMPTY_BYTES)));
        }
        return new StoredGroup(protocolType == null ? "" : protocolType, generationId, protocolName, leaderId,
                stateTimestamp, stored);
    }

    Map<String, byte[]> currentAssignment() {
        Map<String, byte[]> out = new HashMap<>();
        for (GroupMember m : members.values()) {
            out.put(m.memberId, m.assignment);
        }
        return out;
    }

    boolean isEmptyAndForgettable() {
        return is(GroupState.EMPTY) && members.isEmpty() && pendingMembers.isEmpty() && offsets.isEmpty()
                && pendingCommits == 0;
    }
}
