package io.samsa.group;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.Caller;
import io.samsa.api.broker.ProduceResult;

/** ListGroups, DescribeGroups and DeleteGroups. */
final class GroupAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(GroupAdmin.class);
    static final String GROUP_TYPE = "classic";

    private final Groups groups;
    private final OffsetsTopic offsetsTopic;
    private final CoordinatorLog log;

    GroupAdmin(Groups groups, OffsetsTopic offsetsTopic, CoordinatorLog log) {
        this.groups = groups;
        this.offsetsTopic = offsetsTopic;
        this.log = log;
    }

    ListGroupsResponseData list(Caller caller, ListGroupsRequestData request) {
        short version = caller.apiVersion();
        offsetsTopic.refreshAll();
        Set<String> states = new HashSet<>();
        if (version >= 4 && request.statesFilter() != null) {
            for (String s : request.statesFilter()) {
                states.add(s.toLowerCase(Locale.ROOT));
            }
        }
        boolean classicWanted = version < 5 || request.typesFilter() == null || request.typesFilter().isEmpty()
                || request.typesFilter().stream().anyMatch(GROUP_TYPE::equalsIgnoreCase);
        ListGroupsResponseData response = new ListGroupsResponseData().setErrorCode(
                offsetsTopic.anyLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS.code() : Errors.NONE.code());
        if (!classicWanted) {
            return response;
        }
        for (ClassicGroup g : groups.all()) {
            ListGroupsResponseData.ListedGroup listed = new ListGroupsResponseData.ListedGroup()
                    .setGroupId(g.groupId());
            String state;
            g.lock();
            try {
                if (g.is(GroupState.DEAD)) {
                    continue;
                }
                state = g.state().toString();
                listed.setProtocolType(g.protocolType() == null ? "" : g.protocolType());
            } finally {
                g.unlock();
            }
            if (!states.isEmpty() && !states.contains(state.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (version >= 4) {
                listed.setGroupState(state);
            }
            if (version >= 5) {
                listed.setGroupType(GROUP_TYPE);
            }
            response.groups().add(listed);
        }
        return response;
    }

    DescribeGroupsResponseData describe(Caller caller, List<String> groupIds) {
        short version = caller.apiVersion();
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String groupId : groupIds) {
            response.groups().add(describe(groupId, version));
        }
        return response;
    }

    private DescribeGroupsResponseData.DescribedGroup describe(String groupId, short version) {
        DescribeGroupsResponseData.DescribedGroup d = new DescribeGroupsResponseData.DescribedGroup()
                .setGroupId(groupId).setGroupState("").setProtocolType("").setProtocolData("");
        Errors status = groupId == null ? Errors.INVALID_GROUP_ID
                : offsetsTopic.check(offsetsTopic.partitionFor(groupId));
        if (status != Errors.NONE) {
            return d.setErrorCode(status.code());
        }
        ClassicGroup g = groups.get(groupId);
        if (g != null) {
            g.lock();
            try {
                if (!g.is(GroupState.DEAD)) {
                    return summary(g, d);
                }
            } finally {
                g.unlock();
            }
        }
        d.setGroupState(GroupState.DEAD.toString());
        if (version >= 6) {
            // KIP-1043: newer clients are told plainly that the group does not exist.
            d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + groupId + " not found.");
        }
        return d;
    }

    /** Kafka's summary: protocol, metadata and assignments only while the group is stable. */
    private static DescribeGroupsResponseData.DescribedGroup summary(ClassicGroup g,
            DescribeGroupsResponseData.DescribedGroup d) {
        boolean stable = g.is(GroupState.STABLE);
        d.setGroupState(g.state().toString()).setProtocolType(g.protocolType() == null ? "" : g.protocolType())
                .setProtocolData(stable && g.protocolName() != null ? g.protocolName() : "");
        for (GroupMember m : g.members()) {
            d.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId()).setClientId(m.clientId()).setClientHost(m.clientHost())
                    .setMemberMetadata(stable ? m.metadata(g.protocolName()) : GroupMember.EMPTY_BYTES)
                    .setMemberAssignment(stable ? m.assignment() : GroupMember.EMPTY_BYTES));
        }
        return d;
    }

    CompletableFuture<DeleteGroupsResponseData> delete(Caller caller, List<String> groupIds) {
        DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (String groupId : groupIds) {
            DeleteGroupsResponseData.DeletableGroupResult result = new DeleteGroupsResponseData.DeletableGroupResult()
                    .setGroupId(groupId);
            if (groupId != null && response.results().find(groupId) != null) {
                continue;
            }
            response.results().add(result);
            Errors status = groupId == null ? Errors.INVALID_GROUP_ID
                    : offsetsTopic.check(offsetsTopic.partitionFor(groupId));
            if (status != Errors.NONE) {
                result.setErrorCode(status.code());
                continue;
            }
            ClassicGroup g = groups.get(groupId);
            if (g == null) {
                result.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
                continue;
            }
            writes.add(deleteGroup(g, result));
        }
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).thenApply(v -> response);
    }

    private CompletableFuture<Void> deleteGroup(ClassicGroup g, DeleteGroupsResponseData.DeletableGroupResult result) {
        Deferred after = new Deferred();
        g.lock();
        try {
            if (g.is(GroupState.DEAD)) {
                result.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
                return CompletableFuture.completedFuture(null);
            }
            if (!g.is(GroupState.EMPTY)) {
                result.setErrorCode(Errors.NON_EMPTY_GROUP.code());
                return CompletableFuture.completedFuture(null);
            }
            List<CoordinatorLog.Entry> tombstones = new ArrayList<>(g.offsets().size() + 1);
            for (TopicPartition tp : g.offsets().keySet()) {
                tombstones.add(new CoordinatorLog.Entry(CoordinatorRecords.offsetKey(g.groupId(), tp), null));
            }
            tombstones.add(new CoordinatorLog.Entry(CoordinatorRecords.groupKey(g.groupId()), null));
            long emptySince = g.stateTimestamp();
            g.markDead(Errors.COORDINATOR_NOT_AVAILABLE, Rebalancer.now(), after);
            groups.remove(g);
            return log.append(g.partition(), tombstones, Rebalancer.now())
                    .thenAccept(r -> onDeleted(g, emptySince, result, r));
        } finally {
            g.unlock();
            after.run();
        }
    }

    private void onDeleted(ClassicGroup g, long emptySince, DeleteGroupsResponseData.DeletableGroupResult result,
            ProduceResult r) {
        Errors error = CoordinatorLog.groupError(r.error());
        result.setErrorCode(error.code());
        g.lock();
        try {
            if (error == Errors.NONE) {
                LOG.info("Deleted group {} and its {} committed offsets", g.groupId(), g.offsets().size());
                g.clearOffsets();
            } else {
                // Nothing was deleted: serve the group again unless a new one took its id meanwhile.
                g.undoDeletion(emptySince);
                if (!groups.restore(g)) {
                    g.transitionTo(GroupState.DEAD, Rebalancer.now());
                    LOG.warn("Group {} was recreated while its deletion failed ({})", g.groupId(), error);
                }
            }
        } finally {
            g.unlock();
        }
    }
}
