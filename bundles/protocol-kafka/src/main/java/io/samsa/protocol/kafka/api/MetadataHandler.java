package io.samsa.protocol.kafka.api;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;

/**
 * Metadata: live brokers, cluster id, controller and the requested topics (all of them for a
 * null list, or an empty one at v0), creating missing topics when the client allows it.
 */
final class MetadataHandler implements ApiHandler<MetadataRequestData> {

    private final ClusterView cluster;
    private final TopicAdmin topicAdmin;

    MetadataHandler(ClusterView cluster, TopicAdmin topicAdmin) {
        this.cluster = cluster;
        this.topicAdmin = topicAdmin;
    }

    @Override
    public ApiMessage handle(RequestContext context, MetadataRequestData request) {
        short version = context.apiVersion();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.controllerId());
        for (BrokerRegistration broker : cluster.brokers()) {
            response.brokers().add(new MetadataResponseBroker().setNodeId(broker.brokerId()).setHost(broker.host())
                    .setPort(broker.port()).setRack(broker.rack().orElse(null)));
        }
        boolean operations = version >= 8 && request.includeTopicAuthorizedOperations();
        if (request.topics() == null || (version == 0 && request.topics().isEmpty())) {
            for (TopicView topic : cluster.topics()) {
                response.topics().add(describe(topic, operations));
            }
        } else {
            Set<Object> seen = new HashSet<>();
            for (MetadataRequestTopic wanted : request.topics()) {
                Object key = wanted.name() != null ? wanted.name() : wanted.topicId();
                if (seen.add(key)) {
                    response.topics().add(lookUp(wanted, request.allowAutoTopicCreation(), operations, version));
                }
            }
        }
        if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        return response;
    }

    private MetadataResponseTopic lookUp(MetadataRequestTopic wanted, boolean autoCreate, boolean operations,
            short version) {
        String name = wanted.name();
        if (name == null) {
            Uuid id = wanted.topicId();
            Optional<TopicView> byId = Uuid.ZERO_UUID.equals(id) ? Optional.empty() : cluster.topic(id);
            return byId.map(t -> describe(t, operations))
                    .orElseGet(() -> error(version >= 12 ? null : "", id, Errors.UNKNOWN_TOPIC_ID));
        }
        Optional<TopicView> topic = cluster.topic(name);
        if (topic.isPresent()) {
            return describe(topic.get(), operations);
        }
        if (!Topic.isValid(name)) {
            return error(name, Uuid.ZERO_UUID, Errors.INVALID_TOPIC_EXCEPTION);
        }
        if (!autoCreate) {
            return error(name, Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        ApiError created = topicAdmin.autoCreateTopic(name);
        if (created.isFailure()) {
            return error(name, Uuid.ZERO_UUID, created.error());
        }
        // Leaders may not be known yet; the client retries on LEADER_NOT_AVAILABLE.
        return cluster.topic(name).map(t -> describe(t, operations))
                .orElseGet(() -> error(name, Uuid.ZERO_UUID, Errors.LEADER_NOT_AVAILABLE));
    }

    private static MetadataResponseTopic error(String name, Uuid id, Errors error) {
        return new MetadataResponseTopic().setName(name).setTopicId(id).setErrorCode(error.code());
    }

    private static MetadataResponseTopic describe(TopicView topic, boolean operations) {
        MetadataResponseTopic result = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId())
                .setIsInternal(topic.internal())
                .setTopicAuthorizedOperations(operations ? AuthorizedOperations.TOPIC
                        : AuthorizedOperations.NOT_REQUESTED);
        if (topic.partitions().isEmpty()) {
            result.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
        }
        for (PartitionView partition : topic.partitions()) {
            result.partitions().add(new MetadataResponsePartition()
                    .setErrorCode(partition.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                    .setPartitionIndex(partition.partition())
                    .setLeaderId(partition.leader())
                    .setLeaderEpoch(partition.leaderEpoch())
                    .setReplicaNodes(partition.replicas())
                    .setIsrNodes(partition.isr())
                    .setOfflineReplicas(partition.offline()));
        }
        return result;
    }
}
