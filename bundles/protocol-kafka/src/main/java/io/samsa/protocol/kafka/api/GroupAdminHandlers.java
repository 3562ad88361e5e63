package io.samsa.protocol.kafka.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;

/**
 * ListGroups, DescribeGroups and DeleteGroups. The last two name several groups; those
 * coordinated elsewhere are answered NOT_COORDINATOR and the rest go to the coordinator.
 */
final class GroupAdminHandlers {

    private final GroupRouting routing;

    GroupAdminHandlers(GroupRouting routing) {
        this.routing = routing;
    }

    CompletionStage<? extends ApiMessage> listGroups(RequestContext context, ListGroupsRequestData request) {
        return routing.coordinator().listGroups(context.caller(), request);
    }

    CompletionStage<? extends ApiMessage> describeGroups(RequestContext context, DescribeGroupsRequestData request) {
        List<String> local = new ArrayList<>();
        List<DescribedGroup> elsewhere = new ArrayList<>();
        for (String group : request.groups()) {
            if (routing.isLocal(group)) {
                local.add(group);
            } else {
                elsewhere.add(DescribeGroupsResponse.groupError(group, Errors.NOT_COORDINATOR));
            }
        }
        if (elsewhere.isEmpty()) {
            return routing.coordinator().describeGroups(context.caller(), request);
        }
        CompletionStage<DescribeGroupsResponseData> mine = local.isEmpty()
                ? CompletableFuture.completedFuture(new DescribeGroupsResponseData())
                : routing.coordinator().describeGroups(context.caller(), new DescribeGroupsRequestData()
                        .setGroups(local).setIncludeAuthorizedOperations(request.includeAuthorizedOperations()));
        return mine.thenApply(response -> {
            response.groups().addAll(elsewhere);
            return response;
        });
    }

    CompletionStage<? extends ApiMessage> deleteGroups(RequestContext context, DeleteGroupsRequestData request) {
        List<String> local = new ArrayList<>();
        List<DeletableGroupResult> elsewhere = new ArrayList<>();
        for (String group : request.groupsNames()) {
            if (routing.isLocal(group)) {
                local.add(group);
            } else {
                elsewhere.add(new DeletableGroupResult().setGroupId(group).setErrorCode(Errors.NOT_COORDINATOR.code()));
            }
        }
        if (elsewhere.isEmpty()) {
            return routing.coordinator().deleteGroups(context.caller(), request);
        }
        CompletionStage<DeleteGroupsResponseData> mine = local.isEmpty()
                ? CompletableFuture.completedFuture(new DeleteGroupsResponseData())
                : routing.coordinator().deleteGroups(context.caller(), new DeleteGroupsRequestData().setGroupsNames(local));
        return mine.thenApply(response -> {
            elsewhere.forEach(response.results()::add);
            return response;
        });
    }
}
