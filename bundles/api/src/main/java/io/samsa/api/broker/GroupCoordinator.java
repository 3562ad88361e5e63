package io.samsa.api.broker;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The classic consumer group protocol: membership and rebalances (JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, with static membership), committed offsets kept in the compacted
 * internal topic {@code __consumer_offsets}, and group administration.
 * <p>
 * Requests and responses are the protocol's generated messages; {@link Caller#apiVersion()} is
 * the version the response will be written at, for the fields that differ by version. Futures
 * may complete later (JoinGroup waits for the rebalance, SyncGroup for the leader's assignment).
 */
@ProviderType
public interface GroupCoordinator {

    /** The {@code __consumer_offsets} partition that holds a group, which decides its coordinator. */
    int partitionFor(String groupId);

    /** The broker id coordinating {@code groupId}, or -1 while not available. */
    int coordinatorFor(String groupId);

    CompletableFuture<JoinGroupResponseData> joinGroup(Caller caller, JoinGroupRequestData request);

    CompletableFuture<SyncGroupResponseData> syncGroup(Caller caller, SyncGroupRequestData request);

    CompletableFuture<HeartbeatResponseData> heartbeat(Caller caller, HeartbeatRequestData request);

    CompletableFuture<LeaveGroupResponseData> leaveGroup(Caller caller, LeaveGroupRequestData request);

    CompletableFuture<OffsetCommitResponseData> commitOffsets(Caller caller, OffsetCommitRequestData request);

    CompletableFuture<OffsetFetchResponseData> fetchOffsets(Caller caller, OffsetFetchRequestData request);

    CompletableFuture<ListGroupsResponseData> listGroups(Caller caller, ListGroupsRequestData request);

    CompletableFuture<DescribeGroupsResponseData> describeGroups(Caller caller, DescribeGroupsRequestData request);

    CompletableFuture<DeleteGroupsResponseData> deleteGroups(Caller caller, DeleteGroupsRequestData request);
}
