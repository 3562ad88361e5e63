package io.samsa.protocol.kafka.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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

    CompletionStage<? extends ApiMessage> commitOffsets(RequestContext context, OffsetCommitRequestData request) {
        routing.requireLocal(request.groupId());
        return routing.coordinator().commitOffsets(context.caller(), request);
    }

    CompletionStage<? extends ApiMessage> fetchOffsets(RequestContext context, OffsetFetchRequestData request) {
        if (context.apiVersion() < OffsetFetchRequest.BATCH_MIN_VERSION) {
            routing.requireLocal(request.groupId());
            return routing.coordinator().fetchOffsets(context.caller(), request);
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
            return routing.coordinator().fetchOffsets(context.caller(), request);
        }
        CompletionStage<OffsetFetchResponseData> mine = local.isEmpty()
                ? CompletableFuture.completedFuture(new OffsetFetchResponseData())
                : routing.coordinator().fetchOffsets(context.caller(), new OffsetFetchRequestData().setGroups(local)
                        .setRequireStable(request.requireStable()));
        return mine.thenApply(response -> {
            response.groups().addAll(elsewhere);
            return response;
        });
    }
}
