package io.samsa.protocol.kafka.api;

import java.util.Optional;
import java.util.function.Supplier;

import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.GroupCoordinator;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.replication.ControllerService;
import io.samsa.protocol.kafka.fetch.FetchHandler;

/**
 * The APIs a Samsa broker serves and the versions of each. A maximum is the highest version
 * whose fields are all honoured; versions that name topics by id are served only where that is
 * implemented (Fetch), and group APIs stop before their topic-id versions (OffsetCommit and
 * OffsetFetch v10). APIs not listed here are not advertised, so clients fall back or do without.
 */
public final class BrokerApis {

    private BrokerApis() {
    }

    public static ApiTable create(ClusterView cluster, TopicAdmin topicAdmin, PartitionService partitions,
            ProducerIdService producerIds, GroupCoordinator groupCoordinator) {
        return create(cluster, topicAdmin, partitions, producerIds, groupCoordinator, Optional::empty);
    }

    /**
     * @param controller this broker's controller service while one is bound; ElectLeaders and the
     *        partition reassignment requests ask it
     */
    public static ApiTable create(ClusterView cluster, TopicAdmin topicAdmin, PartitionService partitions,
            ProducerIdService producerIds, GroupCoordinator groupCoordinator,
            Supplier<Optional<ControllerService>> controller) {
        ApiTable table = new ApiTable();
        GroupRouting routing = new GroupRouting(cluster, groupCoordinator);
        GroupMembershipHandlers membership = new GroupMembershipHandlers(routing);
        GroupOffsetHandlers offsets = new GroupOffsetHandlers(routing);
        GroupAdminHandlers groupAdmin = new GroupAdminHandlers(routing);
        ReassignmentHandlers reassignments = new ReassignmentHandlers(controller);
        AlterConfigsHandlers alterConfigs = new AlterConfigsHandlers(topicAdmin);
        return table
                .register(ApiKeys.API_VERSIONS, 0, 4, ApiVersionsRequestData.class, new ApiVersionsHandler(table))
                .register(ApiKeys.METADATA, 0, 13, MetadataRequestData.class, new MetadataHandler(cluster, topicAdmin))
                .registerAsync(ApiKeys.PRODUCE, 3, 12, ProduceRequestData.class, new ProduceHandler(partitions))
                .registerAsync(ApiKeys.FETCH, 4, 17, FetchRequestData.class, new FetchHandler(cluster, partitions))
                .register(ApiKeys.LIST_OFFSETS, 1, 10, ListOffsetsRequestData.class, new ListOffsetsHandler(partitions))
                .register(ApiKeys.DELETE_RECORDS, 0, 2, DeleteRecordsRequestData.class,
                        new DeleteRecordsHandler(partitions))
                .register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4, OffsetForLeaderEpochRequestData.class,
                        new OffsetForLeaderEpochHandler(partitions))
                .register(ApiKeys.DESCRIBE_LOG_DIRS, 1, 4, DescribeLogDirsRequestData.class,
                        new DescribeLogDirsHandler(partitions))
                .register(ApiKeys.INIT_PRODUCER_ID, 0, 5, InitProducerIdRequestData.class,
                        new InitProducerIdHandler(producerIds))
                .register(ApiKeys.FIND_COORDINATOR, 0, 6, FindCoordinatorRequestData.class,
                        new FindCoordinatorHandler(cluster, groupCoordinator))
                .registerAsync(ApiKeys.JOIN_GROUP, 0, 9, JoinGroupRequestData.class, membership::joinGroup)
                .registerAsync(ApiKeys.SYNC_GROUP, 0, 5, SyncGroupRequestData.class, membership::syncGroup)
                .registerAsync(ApiKeys.HEARTBEAT, 0, 4, HeartbeatRequestData.class, membership::heartbeat)
                .registerAsync(ApiKeys.LEAVE_GROUP, 0, 5, LeaveGroupRequestData.class, membership::leaveGroup)
                .registerAsync(ApiKeys.OFFSET_COMMIT, 2, 9, OffsetCommitRequestData.class, offsets::commitOffsets)
                .registerAsync(ApiKeys.OFFSET_FETCH, 1, 9, OffsetFetchRequestData.class, offsets::fetchOffsets)
                .registerAsync(ApiKeys.LIST_GROUPS, 0, 5, ListGroupsRequestData.class, groupAdmin::listGroups)
                .registerAsync(ApiKeys.DESCRIBE_GROUPS, 0, 6, DescribeGroupsRequestData.class, groupAdmin::describeGroups)
                .registerAsync(ApiKeys.DELETE_GROUPS, 0, 3, DeleteGroupsRequestData.class, groupAdmin::deleteGroups)
                .register(ApiKeys.CREATE_TOPICS, 2, 7, CreateTopicsRequestData.class,
                        new CreateTopicsHandler(cluster, topicAdmin))
                .register(ApiKeys.DELETE_TOPICS, 1, 6, DeleteTopicsRequestData.class,
                        new DeleteTopicsHandler(cluster, topicAdmin))
                .register(ApiKeys.CREATE_PARTITIONS, 0, 3, CreatePartitionsRequestData.class,
                        new CreatePartitionsHandler(topicAdmin))
                .register(ApiKeys.DESCRIBE_CONFIGS, 1, 4, DescribeConfigsRequestData.class,
                        new DescribeConfigsHandler(cluster, topicAdmin))
                .register(ApiKeys.ALTER_CONFIGS, 0, 2, AlterConfigsRequestData.class, alterConfigs::alterConfigs)
                .register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1, IncrementalAlterConfigsRequestData.class,
                        alterConfigs::incrementalAlterConfigs)
                .register(ApiKeys.DESCRIBE_CLUSTER, 0, 2, DescribeClusterRequestData.class,
                        new DescribeClusterHandler(cluster))
                .registerAsync(ApiKeys.ELECT_LEADERS, 0, 2, ElectLeadersRequestData.class,
                        new ElectLeadersHandler(controller))
                .registerAsync(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 0, 1,
                        AlterPartitionReassignmentsRequestData.class, reassignments::alter)
                .registerAsync(ApiKeys.LIST_PARTITION_REASSIGNMENTS, 0, 0,
                        ListPartitionReassignmentsRequestData.class, reassignments::list)
                .register(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, 0, 0, DescribeTopicPartitionsRequestData.class,
                        new DescribeTopicPartitionsHandler(cluster));
    }
}
