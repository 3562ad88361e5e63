package io.samsa.protocol.kafka.api;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/** OffsetCommit and OffsetFetch; a batched OffsetFetch (v8+) is split by coordinator. */
final class GroupOffsetHandlers {

    private final GroupRouting routing;

    GroupOffsetHandlers(GroupRouting routing) {
        this.routing = routing;
    }

    ApiMessage commitOffsets(RequestContext context, OffsetCommitRequestData request) throws Exception {
        routing.requireLocal(request.groupId());
        return RequestContext.await(routing.coordinator().commitOffsets(context.caller(), request));
    }

    ApiMessage fetchOffsets(RequestContext context, OffsetFetchRequestData request) throws Exception {
        if (context.apiVersion() < OffsetFetchRequest.BATCH_MIN_VERSION) {
            routing.requireLocal(request.groupId());
            return RequestContext.await(routing.coordinator().fetchOffsets(context.caller(), request));
        }
        List<OffsetFetchRequestGroup> local = new ArrayList<>();
        List<OffsetFetchResponseGroup> elsewhere = new ArrayList<>();
        for (OffsetFetchRequestGroup group : request.groups()) {
            if (routing.isLocal(group.groupId())) {
                local.add(group);
            } else {
                elsewhere.add(new OffsetFetchResponseGroup().setGroupId(group.groupId())
                        .setErrorCode(Errors.NOT_COORDINATOR.code()));
            }
        }
        if (elsewhere.isEmpty()) {
            return RequestContext.await(routing.coordinator().fetchOffsets(context.caller(), request));
        }
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (!local.isEmpty()) {
            OffsetFetchRequestData mine = new OffsetFetchRequestData().setGroups(local)
                    .setRequireStable(request.requireStable());
            response = RequestContext.await(routing.coordinator().fetchOffsets(context.caller(), mine));
        }
        response.groups().addAll(elsewhere);
        return response;
    }
}
