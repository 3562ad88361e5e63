package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiMessage;

/** JoinGroup, SyncGroup, Heartbeat and LeaveGroup, passed to the group coordinator. */
final class GroupMembershipHandlers {

    private final GroupRouting routing;

    GroupMembershipHandlers(GroupRouting routing) {
        this.routing = routing;
    }

    ApiMessage joinGroup(RequestContext context, JoinGroupRequestData request) throws Exception {
        routing.requireLocal(request.groupId());
        return RequestContext.await(routing.coordinator().joinGroup(context.caller(), request));
    }

    ApiMessage syncGroup(RequestContext context, SyncGroupRequestData request) throws Exception {
        routing.requireLocal(request.groupId());
        return RequestContext.await(routing.coordinator().syncGroup(context.caller(), request));
    }

    ApiMessage heartbeat(RequestContext context, HeartbeatRequestData request) throws Exception {
        routing.requireLocal(request.groupId());
        return RequestContext.await(routing.coordinator().heartbeat(context.caller(), request));
    }

    ApiMessage leaveGroup(RequestContext context, LeaveGroupRequestData request) throws Exception {
        routing.requireLocal(request.groupId());
        return RequestContext.await(routing.coordinator().leaveGroup(context.caller(), request));
    }
}
