package io.samsa.group;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/** One member of a classic group; guarded by its group's lock. */
final class GroupMember {
    static final byte[] EMPTY_BYTES = new byte[0];

    /** A protocol the member supports, with its metadata for that protocol. */
    record Protocol(String name, byte[] metadata) {
        boolean sameAs(Protocol other) {
            return name.equals(other.name) && Arrays.equals(metadata, other.metadata);
        }
    }

    String memberId;
    final String groupInstanceId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = EMPTY_BYTES;

    /** A parked JoinGroup, completed when the rebalance completes. */
    CompletableFuture<JoinGroupResponseData> awaitingJoin;
    /** A parked SyncGroup, completed when the leader's assignment arrives. */
    CompletableFuture<SyncGroupResponseData> awaitingSync;
    /** Joined during the current rebalance; such members can time out while awaiting the join. */
    boolean isNew;

    /** The session deadline (System.nanoTime); the timer re-arms itself when it fires early. */
    long heartbeatDeadlineNanos;
    ScheduledFuture<?> heartbeatTimer;
    long heartbeatTimerAtNanos;

    GroupMember(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
            int sessionTimeoutMs, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = protocols;
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
    String vote(java.util.Set<String> candidates) {
        for (Protocol p : protocols) {
            if (candidates.contains(p.name)) {
                return p.name;
            }
        }
        throw new IllegalStateException("Member " + memberId + " supports none of " + candidates);
    }

    void cancelHeartbeat() {
        if (heartbeatTimer != null) {
            heartbeatTimer.cancel(false);
            heartbeatTimer = null;
        }
    }
}
