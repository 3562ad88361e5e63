package io.samsa.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.Caller;
import io.samsa.api.broker.ProduceResult;

/** SyncGroup, Heartbeat and LeaveGroup of the classic group protocol. */
final class MemberRequests {
    private static final Logger LOG = LoggerFactory.getLogger(MemberRequests.class);

    private final Groups groups;
    private final OffsetsTopic offsetsTopic;
    private final Rebalancer rebalancer;

    MemberRequests(Groups groups, OffsetsTopic offsetsTopic, Rebalancer rebalancer) {
        this.groups = groups;
        this.offsetsTopic = offsetsTopic;
        this.rebalancer = rebalancer;
    }

    CompletableFuture<SyncGroupResponseData> sync(Caller caller, SyncGroupRequestData request) {
        short version = caller.apiVersion();
        CompletableFuture<SyncGroupResponseData> future = new CompletableFuture<>();
        CompletableFuture<SyncGroupResponseData> response = future.thenApply(r -> SyncResponses.forVersion(r, version));
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(SyncResponses.error(Errors.INVALID_GROUP_ID));
            return response;
        }
        Errors status = offsetsTopic.check(offsetsTopic.partitionFor(groupId));
        if (status != Errors.NONE) {
            // While loading, the rebalance in flight is lost: the member must join again (as Kafka answers).
            future.complete(SyncResponses.error(status == Errors.COORDINATOR_LOAD_IN_PROGRESS
                    ? Errors.REBALANCE_IN_PROGRESS : status));
            return response;
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            future.complete(SyncResponses.error(Errors.UNKNOWN_MEMBER_ID));
            return response;
        }
        Deferred after = new Deferred();
        g.lock();
        try {
            Errors error = validateSync(g, request);
            if (error != Errors.NONE) {
                after.complete(future, SyncResponses.error(error));
            } else {
                syncMember(g, request, future, after);
            }
        } finally {
            g.unlock();
            after.run();
        }
        return response;
    }

    /** SyncGroup's and Heartbeat's common checks: a live group, a known member, the current generation. */
    private static Errors validateMemberOfGeneration(ClassicGroup g, String memberId, String groupInstanceId,
            int generationId) {
        if (g.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = JoinGroupHandler.validateMember(g, memberId, groupInstanceId);
        if (error != Errors.NONE) {
            return error;
        }
        return generationId != g.generationId() ? Errors.ILLEGAL_GENERATION : Errors.NONE;
    }

    private static Errors validateSync(ClassicGroup g, SyncGroupRequestData request) {
        Errors error = validateMemberOfGeneration(g, request.memberId(), request.groupInstanceId(),
                request.generationId());
        if (error != Errors.NONE) {
            return error;
        }
        if (request.protocolType() != null && !request.protocolType().equals(g.protocolType())) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (request.protocolName() != null && !request.protocolName().equals(g.protocolName())) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return Errors.NONE;
    }

    private void syncMember(ClassicGroup g, SyncGroupRequestData request,
            CompletableFuture<SyncGroupResponseData> future, Deferred after) {
        GroupMember m = g.get(request.memberId());
        switch (g.state()) {
            case EMPTY:
                after.complete(future, SyncResponses.error(Errors.UNKNOWN_MEMBER_ID));
                break;
            case PREPARING_REBALANCE:
                after.complete(future, SyncResponses.error(Errors.REBALANCE_IN_PROGRESS));
                break;
            case COMPLETING_REBALANCE:
                g.awaitSync(m, future, after);
                if (g.isLeader(m.memberId())) {
                    Map<String, byte[]> assignment = new HashMap<>();
                    for (SyncGroupRequestData.SyncGroupRequestAssignment a : request.assignments()) {
                        if (g.has(a.memberId())) {
                            assignment.put(a.memberId(), a.assignment() == null ? GroupMember.EMPTY_BYTES
                                    : a.assignment());
                        }
                    }
                    int generation = g.generationId();
                    rebalancer.storeGroup(g, assignment)
                            .thenAccept(r -> onAssignmentStored(g, generation, assignment, r));
                }
                break;
            case STABLE:
                g.markSynced(m.memberId());
                rebalancer.scheduleHeartbeat(g, m, m.sessionTimeoutMs());
                after.complete(future, SyncResponses.assignment(g, m.assignment()));
                break;
            default:
                after.complete(future, SyncResponses.error(Errors.COORDINATOR_NOT_AVAILABLE));
                break;
        }
    }

    private void onAssignmentStored(ClassicGroup g, int generation, Map<String, byte[]> assignment,
            ProduceResult result) {
        Deferred after = new Deferred();
        g.lock();
        try {
            if (!g.is(GroupState.COMPLETING_REBALANCE) || g.generationId() != generation) {
                return;
            }
            Errors error = CoordinatorLog.groupError(result.error());
            if (error != Errors.NONE) {
                LOG.warn("Failed to store the assignment of group {} generation {}: {}", g.groupId(), generation,
                        result.error());
                rebalancer.resetAndPropagateAssignmentError(g, error, after);
                rebalancer.maybePrepareRebalance(g, "failed to store the assignment", after);
            } else {
                rebalancer.setAndPropagateAssignment(g, assignment, after);
                g.transitionTo(GroupState.STABLE, Rebalancer.now());
            }
        } finally {
            g.unlock();
            after.run();
        }
    }

    CompletableFuture<HeartbeatResponseData> heartbeat(Caller caller, HeartbeatRequestData request) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return heartbeatResponse(Errors.INVALID_GROUP_ID);
        }
        Errors status = offsetsTopic.check(offsetsTopic.partitionFor(groupId));
        if (status == Errors.COORDINATOR_LOAD_IN_PROGRESS) {
            return heartbeatResponse(Errors.NONE);
        }
        if (status != Errors.NONE) {
            return heartbeatResponse(status);
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return heartbeatResponse(Errors.UNKNOWN_MEMBER_ID);
        }
        Errors error;
        g.lock();
        try {
            error = heartbeat(g, request);
        } finally {
            g.unlock();
        }
        return heartbeatResponse(error);
    }

    private Errors heartbeat(ClassicGroup g, HeartbeatRequestData request) {
        Errors error = validateMemberOfGeneration(g, request.memberId(), request.groupInstanceId(),
                request.generationId());
        if (error != Errors.NONE) {
            return error;
        }
        GroupMember m = g.get(request.memberId());
        switch (g.state()) {
            case EMPTY:
                return Errors.UNKNOWN_MEMBER_ID;
            case PREPARING_REBALANCE:
                rebalancer.scheduleHeartbeat(g, m, m.sessionTimeoutMs());
                return Errors.REBALANCE_IN_PROGRESS;
            default:
                rebalancer.scheduleHeartbeat(g, m, m.sessionTimeoutMs());
                return Errors.NONE;
        }
    }

    private static CompletableFuture<HeartbeatResponseData> heartbeatResponse(Errors error) {
        return CompletableFuture.completedFuture(new HeartbeatResponseData().setErrorCode(error.code()));
    }

    CompletableFuture<LeaveGroupResponseData> leave(Caller caller, LeaveGroupRequestData request) {
        short version = caller.apiVersion();
        List<LeaveGroupRequestData.MemberIdentity> leaving = version >= 3 ? request.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(request.memberId()));
        String groupId = request.groupId();
        Errors status = groupId == null || groupId.isEmpty() ? Errors.INVALID_GROUP_ID
                : offsetsTopic.check(offsetsTopic.partitionFor(groupId));
        if (status != Errors.NONE) {
            return CompletableFuture.completedFuture(new LeaveGroupResponseData().setErrorCode(status.code()));
        }
        List<LeaveGroupResponseData.MemberResponse> results = new ArrayList<>(leaving.size());
        Errors topLevel = Errors.NONE;
        ClassicGroup g = groups.get(groupId);
        Deferred after = new Deferred();
        if (g == null) {
            for (LeaveGroupRequestData.MemberIdentity id : leaving) {
                results.add(memberResult(id, Errors.UNKNOWN_MEMBER_ID));
            }
        } else {
            g.lock();
            try {
                if (g.is(GroupState.DEAD)) {
                    topLevel = Errors.COORDINATOR_NOT_AVAILABLE;
                } else {
                    for (LeaveGroupRequestData.MemberIdentity id : leaving) {
                        results.add(memberResult(id, leaveMember(g, id, after)));
                    }
                }
            } finally {
                g.unlock();
                after.run();
            }
        }
        LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(topLevel.code());
        if (version >= 3) {
            response.setMembers(results);
        } else if (topLevel == Errors.NONE && !results.isEmpty()) {
            response.setErrorCode(results.get(0).errorCode());
        }
        return CompletableFuture.completedFuture(response);
    }

    private Errors leaveMember(ClassicGroup g, LeaveGroupRequestData.MemberIdentity id, Deferred after) {
        String memberId = id.memberId() == null ? "" : id.memberId();
        String reason = "member " + memberId + " left (reason: " + (id.reason() == null ? "not provided" : id.reason())
                + ")";
        if (memberId.isEmpty()) {
            // An administrative removal names the static member by its instance id only.
            String current = g.staticMemberId(id.groupInstanceId());
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            rebalancer.removeMember(g, g.get(current), reason, after);
            return Errors.NONE;
        }
        if (g.isPendingMember(memberId)) {
            g.removePendingMember(memberId);
            rebalancer.tryCompleteJoin(g, after);
            return Errors.NONE;
        }
        Errors error = JoinGroupHandler.validateMember(g, memberId, id.groupInstanceId());
        if (error == Errors.NONE) {
            LOG.info("Member {} leaves group {}", memberId, g.groupId());
            rebalancer.removeMember(g, g.get(memberId), reason, after);
        }
        return error;
    }

    private static LeaveGroupResponseData.MemberResponse memberResult(LeaveGroupRequestData.MemberIdentity id,
            Errors error) {
        return new LeaveGroupResponseData.MemberResponse().setMemberId(id.memberId())
                .setGroupInstanceId(id.groupInstanceId()).setErrorCode(error.code());
    }
}
