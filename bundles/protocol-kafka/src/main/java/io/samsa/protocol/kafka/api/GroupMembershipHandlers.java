package io.samsa.protocol.kafka.api;

import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup, passed to the group coordinator; a JoinGroup
 * or SyncGroup waiting for the rebalance holds no thread, only its stage.
 */
final class GroupMembershipHandlers {

    private final GroupRouting routing;

    GroupMembershipHandlers(GroupRouting routing) {
        this.routing = routing;
    }

    CompletionStage<? extends ApiMessage> joinGroup(RequestContext context, JoinGroupRequestData request) {
        routing.requireLocal(request.groupId());
        return routing.coordinator().joinGroup(context.caller(), request);
    }

    CompletionStage<? extends ApiMessage> syncGroup(RequestContext context, SyncGroupRequestData request) {
        routing.requireLocal(request.groupId());
        return routing.coordinator().syncGroup(context.caller(), request);
    }

    CompletionStage<? extends ApiMessage> heartbeat(RequestContext context, HeartbeatRequestData request) {
        routing.requireLocal(request.groupId());
        return routing.coordinator().heartbeat(context.caller(), request);
    }

    CompletionStage<? extends ApiMessage> leaveGroup(RequestContext context, LeaveGroupRequestData request) {
        routing.requireLocal(request.groupId());
        return routing.coordinator().leaveGroup(context.caller(), request);
    }
}
