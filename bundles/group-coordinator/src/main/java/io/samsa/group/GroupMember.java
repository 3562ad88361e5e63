package io.samsa.group;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group, guarded by its group's lock. What makes it part of the group
 * (id, protocols, timeouts, assignment, parked requests, being new) changes only through
 * {@link ClassicGroup}, the group's one writer; the package-private setters below exist for it.
 * Its session timer is the member's own and is armed by {@link Rebalancer}.
 */
final class GroupMember {
    static final byte[] EMPTY_BYTES = new byte[0];

    /** A protocol the member supports, with its metadata for that protocol. */
    record Protocol(String name, byte[] metadata) {
        boolean sameAs(Protocol other) {
            return name.equals(other.name) && Arrays.equals(metadata, other.metadata);
        }
    }

    private String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private List<Protocol> protocols;
    private byte[] assignment = EMPTY_BYTES;

    /** A parked JoinGroup, completed when the rebalance completes. */
    private CompletableFuture<JoinGroupResponseData> awaitingJoin;
    /** A parked SyncGroup, completed when the leader's assignment arrives. */
    private CompletableFuture<SyncGroupResponseData> awaitingSync;
    /** Joined during the current rebalance; such members can time out while awaiting the join. */
    private boolean isNew;

    /** The session deadline (System.nanoTime); the timer re-arms itself when it fires early. */
    private long sessionDeadlineNanos;
    private ScheduledFuture<?> sessionTimer;
    private long sessionTimerAtNanos;

    GroupMember(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
            int sessionTimeoutMs, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    String memberId() {
        return memberId;
    }

    String groupInstanceId() {
        return groupInstanceId;
    }

    String clientId() {
        return clientId;
    }

    String clientHost() {
        return clientHost;
    }

    int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    List<Protocol> protocols() {
        return protocols;
    }

    byte[] assignment() {
        return assignment;
    }

    boolean isNew() {
        return isNew;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    /** The member's metadata for {@code protocol}, or empty when it does not support it. */
    byte[] metadata(String protocol) {
        for (Protocol p : protocols) {
            if (p.name.equals(protocol)) {
                return p.metadata;
            }
        }
        return EMPTY_BYTES;
    }

    boolean supports(String protocol) {
        for (Protocol p : protocols) {
            if (p.name.equals(protocol)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code other} lists the same protocols with the same metadata, in the same order. */
    boolean matches(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!protocols.get(i).sameAs(other.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The member's first preference among {@code candidates}. */
    String vote(Set<String> candidates) {
        for (Protocol p : protocols) {
            if (candidates.contains(p.name)) {
                return p.name;
            }
        }
        throw new IllegalStateException("Member " + memberId + " supports none of " + candidates);
    }

    // ---- ClassicGroup's setters

    void setMemberId(String memberId) {
        this.memberId = memberId;
    }

    void setProtocols(List<Protocol> protocols) {
        this.protocols = List.copyOf(protocols);
    }

    void setTimeouts(int rebalanceTimeoutMs, int sessionTimeoutMs) {
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    void setAssignment(byte[] assignment) {
        this.assignment = assignment;
    }

    void setNew(boolean isNew) {
        this.isNew = isNew;
    }

    /** Parks {@code future} (null: none), returning the one parked before. */
    CompletableFuture<JoinGroupResponseData> swapAwaitingJoin(CompletableFuture<JoinGroupResponseData> future) {
        CompletableFuture<JoinGroupResponseData> old = awaitingJoin;
        awaitingJoin = future;
        return old;
    }

    /** Parks {@code future} (null: none), returning the one parked before. */
    CompletableFuture<SyncGroupResponseData> swapAwaitingSync(CompletableFuture<SyncGroupResponseData> future) {
        CompletableFuture<SyncGroupResponseData> old = awaitingSync;
        awaitingSync = future;
        return old;
    }

    // ---- the session timer

    long sessionDeadlineNanos() {
        return sessionDeadlineNanos;
    }

    void setSessionDeadline(long deadlineNanos) {
        this.sessionDeadlineNanos = deadlineNanos;
    }

    /** Whether a timer is armed that fires no later than {@code deadlineNanos}. */
    boolean sessionTimerFiresBy(long deadlineNanos) {
        return sessionTimer != null && sessionTimerAtNanos - deadlineNanos <= 0;
    }

    void armSessionTimer(ScheduledFuture<?> timer, long atNanos) {
        cancelSessionTimer();
        sessionTimer = timer;
        sessionTimerAtNanos = atNanos;
    }

    /** Whether the timer that fires at {@code atNanos} is the one armed now. */
    boolean isCurrentSessionTimer(long atNanos) {
        return sessionTimer != null && sessionTimerAtNanos == atNanos;
    }

    /** Forgets the timer that has just fired, without cancelling it. */
    void sessionTimerFired() {
        sessionTimer = null;
    }

    void cancelSessionTimer() {
        if (sessionTimer != null) {
            sessionTimer.cancel(false);
            sessionTimer = null;
        }
    }
}
