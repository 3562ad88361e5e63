package io.samsa.protocol.kafka.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.Caller;
import io.samsa.api.broker.GroupCoordinator;
import io.samsa.testsupport.InMemoryCluster;

/**
 * A toy group coordinator: every group has at most one member, which is its leader. Groups named
 * {@code remote-*} belong to broker 1 and {@code unavailable-*} to no broker, so that routing can
 * be tested.
 */
public class SimpleGroupCoordinator implements GroupCoordinator {

    private static final class Group {
        String protocolType = "consumer";
        String protocolName = "";
        String memberId;
        String instanceId;
        String clientId = "";
        String clientHost = "";
        byte[] metadata = new byte[0];
        byte[] assignment = new byte[0];
        int generation;
        final Map<String, Map<Integer, long[]>> offsets = new LinkedHashMap<>();
        final Map<String, Map<Integer, String>> offsetMetadata = new HashMap<>();
    }

    private final Map<String, Group> groups = new LinkedHashMap<>();

    @Override
    public int partitionFor(String groupId) {
        return Math.abs(groupId.hashCode() % 50);
    }

    @Override
    public int coordinatorFor(String groupId) {
        if (groupId.startsWith("remote-")) {
            return 1;
        }
        return groupId.startsWith("unavailable-") ? -1 : InMemoryCluster.BROKER_ID;
    }

    @Override
    public synchronized CompletableFuture<JoinGroupResponseData> joinGroup(Caller caller, JoinGroupRequestData request) {
        Group group = groups.computeIfAbsent(request.groupId(), g -> new Group());
        String memberId = request.memberId().isEmpty() ? caller.clientId() + "-" + UUID.randomUUID() : request.memberId();
        JoinGroupRequestProtocol protocol = request.protocols().iterator().next();
        group.memberId = memberId;
        group.instanceId = request.groupInstanceId();
        group.clientId = caller.clientId();
        group.clientHost = caller.clientAddress();
        group.protocolType = request.protocolType();
        group.protocolName = protocol.name();
        group.metadata = protocol.metadata();
        group.generation++;
        JoinGroupResponseData response = new JoinGroupResponseData().setGenerationId(group.generation)
                .setProtocolName(protocol.name()).setLeader(memberId).setMemberId(memberId)
                .setMembers(List.of(new JoinGroupResponseMember().setMemberId(memberId)
                        .setGroupInstanceId(request.groupInstanceId()).setMetadata(protocol.metadata())));
        if (caller.apiVersion() >= 7) {
            response.setProtocolType(request.protocolType());
        }
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public synchronized CompletableFuture<SyncGroupResponseData> syncGroup(Caller caller, SyncGroupRequestData request) {
        Group group = groups.get(request.groupId());
        if (group == null || !request.memberId().equals(group.memberId)) {
            return CompletableFuture.completedFuture(new SyncGroupResponseData()
                    .setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        }
        for (SyncGroupRequestAssignment assignment : request.assignments()) {
            if (assignment.memberId().equals(group.memberId)) {
                group.assignment = assignment.assignment();
            }
        }
        SyncGroupResponseData response = new SyncGroupResponseData().setAssignment(group.assignment);
        if (caller.apiVersion() >= 5) {
            response.setProtocolType(group.protocolType).setProtocolName(group.protocolName);
        }
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public synchronized CompletableFuture<HeartbeatResponseData> heartbeat(Caller caller, HeartbeatRequestData request) {
        Group group = groups.get(request.groupId());
        Errors error = group != null && request.memberId().equals(group.memberId) ? Errors.NONE
                : Errors.UNKNOWN_MEMBER_ID;
        return CompletableFuture.completedFuture(new HeartbeatResponseData().setErrorCode(error.code()));
    }

    @Override
    public synchronized CompletableFuture<LeaveGroupResponseData> leaveGroup(Caller caller,
            LeaveGroupRequestData request) {
        Group group = groups.get(request.groupId());
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        if (group != null) {
            group.memberId = null;
        }
        if (caller.apiVersion() >= 3) {
            request.members().forEach(m -> response.members().add(new MemberResponse().setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId())));
        }
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public synchronized CompletableFuture<OffsetCommitResponseData> commitOffsets(Caller caller,
            OffsetCommitRequestData request) {
        Group group = groups.computeIfAbsent(request.groupId(), g -> new Group());
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseTopic result = new OffsetCommitResponseTopic().setName(topic.name());
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                group.offsets.computeIfAbsent(topic.name(), t -> new LinkedHashMap<>())
                        .put(p.partitionIndex(), new long[] {p.committedOffset(), p.committedLeaderEpoch()});
                group.offsetMetadata.computeIfAbsent(topic.name(), t -> new HashMap<>())
                        .put(p.partitionIndex(), p.committedMetadata());
                result.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex()));
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public synchronized CompletableFuture<OffsetFetchResponseData> fetchOffsets(Caller caller,
            OffsetFetchRequestData request) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (caller.apiVersion() < 8) {
            for (OffsetFetchResponseGroup group : fetch(request.groupId(), request.topics() == null ? null
                    : toGroupTopics(request.topics()))) {
                for (OffsetFetchResponseTopics topic : group.topics()) {
                    OffsetFetchResponseTopic old = new OffsetFetchResponseTopic().setName(topic.name());
                    topic.partitions().forEach(p -> old.partitions().add(new OffsetFetchResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                            .setCommittedLeaderEpoch(p.committedLeaderEpoch()).setMetadata(p.metadata())));
                    response.topics().add(old);
                }
            }
            return CompletableFuture.completedFuture(response);
        }
        for (OffsetFetchRequestGroup wanted : request.groups()) {
            response.groups().addAll(fetch(wanted.groupId(), wanted.topics()));
        }
        return CompletableFuture.completedFuture(response);
    }

    private static List<OffsetFetchRequestTopics> toGroupTopics(List<OffsetFetchRequestData.OffsetFetchRequestTopic> old) {
        List<OffsetFetchRequestTopics> topics = new ArrayList<>();
        old.forEach(t -> topics.add(new OffsetFetchRequestTopics().setName(t.name())
                .setPartitionIndexes(t.partitionIndexes())));
        return topics;
    }

    private List<OffsetFetchResponseGroup> fetch(String groupId, List<OffsetFetchRequestTopics> topics) {
        Group group = groups.get(groupId);
        OffsetFetchResponseGroup result = new OffsetFetchResponseGroup().setGroupId(groupId);
        Map<String, Map<Integer, long[]>> offsets = group == null ? Map.of() : group.offsets;
        if (topics == null) {
            offsets.forEach((topic, partitions) -> {
                OffsetFetchResponseTopics t = new OffsetFetchResponseTopics().setName(topic);
                partitions.forEach((p, o) -> t.partitions().add(partition(group, topic, p, o)));
                result.topics().add(t);
            });
        } else {
            for (OffsetFetchRequestTopics topic : topics) {
                OffsetFetchResponseTopics t = new OffsetFetchResponseTopics().setName(topic.name());
                for (int p : topic.partitionIndexes()) {
                    long[] o = offsets.getOrDefault(topic.name(), Map.of()).get(p);
                    t.partitions().add(partition(group, topic.name(), p, o));
                }
                result.topics().add(t);
            }
        }
        return List.of(result);
    }

    private static OffsetFetchResponsePartitions partition(Group group, String topic, int p, long[] offset) {
        return new OffsetFetchResponsePartitions().setPartitionIndex(p)
                .setCommittedOffset(offset == null ? -1 : offset[0])
                .setCommittedLeaderEpoch(offset == null ? -1 : (int) offset[1])
                .setMetadata(offset == null ? "" : group.offsetMetadata.get(topic).get(p));
    }

    @Override
    public synchronized CompletableFuture<ListGroupsResponseData> listGroups(Caller caller,
            ListGroupsRequestData request) {
        ListGroupsResponseData response = new ListGroupsResponseData();
        groups.forEach((id, group) -> {
            ListedGroup listed = new ListedGroup().setGroupId(id).setProtocolType(group.protocolType);
            if (caller.apiVersion() >= 4) {
                listed.setGroupState(state(group));
            }
            if (caller.apiVersion() >= 5) {
                listed.setGroupType("classic");
            }
            response.groups().add(listed);
        });
        return CompletableFuture.completedFuture(response);
    }

    private static String state(Group group) {
        return group.memberId == null ? "Empty" : "Stable";
    }

    @Override
    public synchronized CompletableFuture<DescribeGroupsResponseData> describeGroups(Caller caller,
            DescribeGroupsRequestData request) {
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String id : request.groups()) {
            Group group = groups.get(id);
            DescribedGroup described = new DescribedGroup().setGroupId(id);
            if (group == null) {
                described.setGroupState("Dead").setProtocolType("").setProtocolData("");
            } else {
                described.setGroupState(state(group)).setProtocolType(group.protocolType)
                        .setProtocolData(group.memberId == null ? "" : group.protocolName);
                if (group.memberId != null) {
                    described.members().add(new DescribedGroupMember().setMemberId(group.memberId)
                            .setClientId(group.clientId).setClientHost(group.clientHost)
                            .setMemberMetadata(group.metadata).setMemberAssignment(group.assignment));
                }
            }
            response.groups().add(described);
        }
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public synchronized CompletableFuture<DeleteGroupsResponseData> deleteGroups(Caller caller,
            DeleteGroupsRequestData request) {
        DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        for (String id : request.groupsNames()) {
            Errors error = groups.remove(id) != null ? Errors.NONE : Errors.GROUP_ID_NOT_FOUND;
            response.results().add(new DeletableGroupResult().setGroupId(id).setErrorCode(error.code()));
        }
        return CompletableFuture.completedFuture(response);
    }
}
