package io.samsa.group;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.Caller;
import io.samsa.api.broker.ProduceResult;

/**
 * JoinGroup as Kafka's classic group coordinator serves it: member id assignment (KIP-394),
 * static membership (KIP-345), protocol checks, the group size limit and rebalances.
 */
final class JoinGroupHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JoinGroupHandler.class);

    /** One JoinGroup being served. */
    private record Join(Caller caller, JoinGroupRequestData request, String memberId, int sessionTimeoutMs,
            int rebalanceTimeoutMs, List<GroupMember.Protocol> protocols, CompletableFuture<JoinGroupResponseData> future) {
        short version() {
            return caller.apiVersion();
        }

        String instanceId() {
            return request.groupInstanceId();
        }

        String reason() {
            return request.reason() == null ? "not provided" : request.reason();
        }
    }

    private final GroupConfig config;
    private final Groups groups;
    private final OffsetsTopic offsetsTopic;
    private final Rebalancer rebalancer;

    JoinGroupHandler(GroupConfig config, Groups groups, OffsetsTopic offsetsTopic, Rebalancer rebalancer) {
        this.config = config;
        this.groups = groups;
        this.offsetsTopic = offsetsTopic;
        this.rebalancer = rebalancer;
    }

    CompletableFuture<JoinGroupResponseData> join(Caller caller, JoinGroupRequestData request) {
        short version = caller.apiVersion();
        CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
        CompletableFuture<JoinGroupResponseData> response = future.thenApply(r -> JoinResponses.forVersion(r, version));
        String memberId = request.memberId() == null ? "" : request.memberId();
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(JoinResponses.error(memberId, Errors.INVALID_GROUP_ID));
            return response;
        }
        int partition = offsetsTopic.partitionFor(groupId);
        Errors status = offsetsTopic.check(partition);
        if (status != Errors.NONE) {
            future.complete(JoinResponses.error(memberId, status));
            return response;
        }
        int session = request.sessionTimeoutMs();
        if (session < config.minSessionTimeoutMs() || session > config.maxSessionTimeoutMs()) {
            future.complete(JoinResponses.error(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return response;
        }
        int rebalanceTimeout = version == 0 || request.rebalanceTimeoutMs() <= 0 ? session
                : request.rebalanceTimeoutMs();
        List<GroupMember.Protocol> protocols = new ArrayList<>(request.protocols().size());
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : request.protocols()) {
            protocols.add(new GroupMember.Protocol(p.name(), p.metadata() == null ? GroupMember.EMPTY_BYTES
                    : p.metadata()));
        }
        boolean unknown = memberId.isEmpty();
        ClassicGroup g;
        while (true) {
            g = unknown ? groups.getOrCreate(groupId, partition, Rebalancer.now()) : groups.get(groupId);
            if (g == null) {
                future.complete(JoinResponses.error(memberId, Errors.UNKNOWN_MEMBER_ID));
                return response;
            }
            g.lock();
            if (!unknown || !g.is(GroupState.DEAD)) {
                break;
            }
            // Deleted meanwhile, and already gone from the registry: create it afresh.
            g.unlock();
        }
        Join join = new Join(caller, request, memberId, session, rebalanceTimeout, protocols, future);
        Deferred after = new Deferred();
        try {
            if (!acceptJoiningMember(g, memberId)) {
                GroupMember m = g.get(memberId);
                if (m != null) {
                    g.completeJoin(m, JoinResponses.error("", Errors.GROUP_MAX_SIZE_REACHED), after);
                    g.remove(memberId);
                }
                after.complete(future, JoinResponses.error("", Errors.GROUP_MAX_SIZE_REACHED));
            } else if (unknown) {
                joinNewMember(g, join, after);
            } else {
                joinCurrentMember(g, join, after);
            }
            if (g.is(GroupState.PREPARING_REBALANCE)) {
                rebalancer.tryCompleteJoin(g, after);
            }
            if (g.isEmptyAndForgettable() && g.generationId() == 0 && !g.isMetadataStored()) {
                // A group created by a join that failed leaves nothing behind.
                g.transitionTo(GroupState.DEAD, Rebalancer.now());
                groups.remove(g);
            }
        } finally {
            g.unlock();
            after.run();
        }
        return response;
    }

    private boolean acceptJoiningMember(ClassicGroup g, String memberId) {
        switch (g.state()) {
            case EMPTY:
            case DEAD:
                return true;
            case PREPARING_REBALANCE:
                GroupMember m = g.get(memberId);
                return (m != null && m.isAwaitingJoin()) || g.numAwaitingJoin() < config.maxSize();
            default:
                return g.has(memberId) || g.size() < config.maxSize();
        }
    }

    private void joinNewMember(ClassicGroup g, Join join, Deferred after) {
        if (g.is(GroupState.DEAD)) {
            after.complete(join.future, JoinResponses.error("", Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!g.supportsProtocols(join.request.protocolType(), join.protocols)) {
            after.complete(join.future, JoinResponses.error("", Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        String prefix = join.instanceId() != null ? join.instanceId() : join.caller.clientId();
        String newMemberId = (prefix == null ? "" : prefix) + "-" + UUID.randomUUID();
        if (join.instanceId() != null) {
            String oldMemberId = g.staticMemberId(join.instanceId());
            if (oldMemberId == null) {
                addMemberAndRebalance(g, newMemberId, join, after);
            } else {
                LOG.info("Static member {} of group {} rejoins with an unknown member id; replacing {} by {}",
                        join.instanceId(), g.groupId(), oldMemberId, newMemberId);
                updateStaticMember(g, oldMemberId, newMemberId, join, after);
            }
        } else if (join.version() >= 4) {
            // KIP-394: hand out the member id first, so that a retry after a lost response is recognised.
            rebalancer.addPendingMember(g, newMemberId, join.sessionTimeoutMs);
            after.complete(join.future, JoinResponses.error(newMemberId, Errors.MEMBER_ID_REQUIRED));
        } else {
            addMemberAndRebalance(g, newMemberId, join, after);
        }
    }

    private void joinCurrentMember(ClassicGroup g, Join join, Deferred after) {
        String memberId = join.memberId;
        if (g.is(GroupState.DEAD)) {
            after.complete(join.future, JoinResponses.error(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!g.supportsProtocols(join.request.protocolType(), join.protocols)) {
            after.complete(join.future, JoinResponses.error(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        if (g.isPendingMember(memberId) && join.instanceId() == null) {
            addMemberAndRebalance(g, memberId, join, after);
            return;
        }
        Errors error = validateMember(g, memberId, join.instanceId());
        if (error != Errors.NONE) {
            after.complete(join.future, JoinResponses.error(memberId, error));
            return;
        }
        GroupMember m = g.get(memberId);
        switch (g.state()) {
            case PREPARING_REBALANCE:
                updateMemberAndRebalance(g, m, join, "member " + memberId + " joining during PreparingRebalance", after);
                break;
            case COMPLETING_REBALANCE:
                if (m.matches(join.protocols)) {
                    // The member probably lost the JoinGroup response: send it again.
                    after.complete(join.future, JoinResponses.success(g, memberId, g.leaderId(),
                            g.isLeader(memberId) ? g.currentMemberMetadata() : List.of(), false));
                } else {
                    updateMemberAndRebalance(g, m, join, "updating metadata of " + memberId, after);
                }
                break;
            case STABLE:
                if (g.isLeader(memberId) || !m.matches(join.protocols)) {
                    // A leader's JoinGroup asks for a rebalance (e.g. the subscribed topics changed).
                    updateMemberAndRebalance(g, m, join, "member " + memberId + " rejoining a stable group", after);
                } else {
                    after.complete(join.future, JoinResponses.success(g, memberId, g.leaderId(), List.of(), false));
                }
                break;
            default:
                after.complete(join.future, JoinResponses.error(memberId, Errors.UNKNOWN_MEMBER_ID));
                break;
        }
    }

    /** Kafka's member check: a static member must hold its instance's current member id. */
    static Errors validateMember(ClassicGroup g, String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String current = g.staticMemberId(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return current.equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
        }
        return g.has(memberId) ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }

    private void addMemberAndRebalance(ClassicGroup g, String memberId, Join join, Deferred after) {
        g.removePendingMember(memberId);
        String clientId = join.caller.clientId() == null ? "" : join.caller.clientId();
        GroupMember m = new GroupMember(memberId, join.instanceId(), clientId,
                clientHost(join.caller.clientAddress()), join.rebalanceTimeoutMs, join.sessionTimeoutMs,
                join.protocols);
        g.add(m, join.request.protocolType(), join.future);
        // A new member cannot heartbeat while its JoinGroup is parked; it gets a longer grace period.
        rebalancer.scheduleHeartbeat(g, m, Rebalancer.NEW_MEMBER_JOIN_TIMEOUT_MS);
        rebalancer.maybePrepareRebalance(g, "adding new member " + memberId + " (reason: " + join.reason() + ")",
                after);
    }

    private void updateMemberAndRebalance(ClassicGroup g, GroupMember m, Join join, String reason, Deferred after) {
        g.updateMember(m, join.protocols, join.rebalanceTimeoutMs, join.sessionTimeoutMs, join.future, after);
        rebalancer.maybePrepareRebalance(g, reason + " (reason: " + join.reason() + ")", after);
    }

    private void updateStaticMember(ClassicGroup g, String oldMemberId, String newMemberId, Join join, Deferred after) {
        String currentLeader = g.leaderId();
        GroupMember m = g.replaceStaticMember(join.instanceId(), oldMemberId, newMemberId, after);
        List<GroupMember.Protocol> oldProtocols = m.protocols();
        int oldRebalanceTimeout = m.rebalanceTimeoutMs();
        int oldSessionTimeout = m.sessionTimeoutMs();
        rebalancer.scheduleHeartbeat(g, m, m.sessionTimeoutMs());
        switch (g.state()) {
            case STABLE:
                g.updateMember(m, join.protocols, join.rebalanceTimeoutMs, join.sessionTimeoutMs, null, after);
                if (g.selectProtocol().equals(g.protocolName())) {
                    // Same protocol: no rebalance; the member gets its previous assignment through SyncGroup.
                    Revert revert = new Revert(oldMemberId, oldProtocols, oldRebalanceTimeout, oldSessionTimeout);
                    rebalancer.storeGroup(g, g.currentAssignment()).thenAccept(
                            r -> onStaticMemberStored(g, m, join, newMemberId, currentLeader, revert, r));
                } else {
                    g.updateMember(m, join.protocols, join.rebalanceTimeoutMs, join.sessionTimeoutMs, join.future,
                            after);
                    rebalancer.maybePrepareRebalance(g, "static member " + join.instanceId()
                            + " rejoined with a protocol change", after);
                }
                break;
            case COMPLETING_REBALANCE:
                // The leader may be assigning to the old member id: start over.
                g.updateMember(m, join.protocols, join.rebalanceTimeoutMs, join.sessionTimeoutMs, join.future, after);
                rebalancer.prepareRebalance(g, "updating metadata of static member " + join.instanceId(), after);
                break;
            case PREPARING_REBALANCE:
                g.updateMember(m, join.protocols, join.rebalanceTimeoutMs, join.sessionTimeoutMs, join.future, after);
                break;
            default:
                throw new IllegalStateException("Static member " + join.instanceId() + " in group " + g.groupId()
                        + " in state " + g.state());
        }
    }

    private record Revert(String oldMemberId, List<GroupMember.Protocol> protocols, int rebalanceTimeoutMs,
            int sessionTimeoutMs) {
    }

    private void onStaticMemberStored(ClassicGroup g, GroupMember m, Join join, String newMemberId,
            String previousLeader, Revert revert, ProduceResult result) {
        Deferred after = new Deferred();
        g.lock();
        try {
            Errors error = CoordinatorLog.groupError(result.error());
            if (error != Errors.NONE) {
                if (g.get(newMemberId) == m && !g.is(GroupState.DEAD)) {
                    g.replaceStaticMember(join.instanceId(), newMemberId, revert.oldMemberId, after);
                    g.updateMember(m, revert.protocols, revert.rebalanceTimeoutMs, revert.sessionTimeoutMs, null,
                            after);
                }
                after.complete(join.future, JoinResponses.error("", error));
            } else if (join.version() >= 9) {
                // KIP-814: a static leader learns it leads, but skips the assignment of a stable group.
                boolean leader = g.isLeader(newMemberId);
                after.complete(join.future, JoinResponses.success(g, newMemberId, g.leaderId(),
                        leader ? g.currentMemberMetadata() : List.of(), leader));
            } else {
                // Older clients see the previous leader id, so that nobody runs a needless assignment.
                after.complete(join.future, JoinResponses.success(g, newMemberId, previousLeader, List.of(), false));
            }
        } finally {
            g.unlock();
            after.run();
        }
    }

    /** Kafka reports the client's address without the port, e.g. {@code /127.0.0.1}. */
    static String clientHost(String address) {
        if (address == null) {
            return "";
        }
        int colon = address.lastIndexOf(':');
        boolean ipv4 = address.indexOf('.') >= 0;
        long colons = address.chars().filter(c -> c == ':').count();
        if (colon > 0 && (ipv4 || colons > 7) && colon < address.length() - 1
                && address.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            return address.substring(0, colon);
        }
        return address;
    }
}
