package io.samsa.protocol.kafka.api;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;

/**
 * CreateTopics: one result per topic with its error and message; from v5 a created (or
 * validated) topic's partition count, replication factor and configuration come back too.
 */
final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequestData> {

    private final ClusterView cluster;
    private final TopicAdmin topicAdmin;

    CreateTopicsHandler(ClusterView cluster, TopicAdmin topicAdmin) {
        this.cluster = cluster;
        this.topicAdmin = topicAdmin;
    }

    @Override
    public ApiMessage handle(RequestContext context, CreateTopicsRequestData request) {
        Map<String, Integer> counts = new HashMap<>();
        request.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        for (CreatableTopic topic : request.topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
            ApiError error;
            if (counts.get(topic.name()) > 1) {
                error = new ApiError(Errors.INVALID_REQUEST, "Topic " + topic.name()
                        + " appears more than once in the request");
            } else if (!topic.assignments().isEmpty()
                    && (topic.numPartitions() != -1 || topic.replicationFactor() != -1)) {
                error = new ApiError(Errors.INVALID_REQUEST, "Both numPartitions or replicationFactor and "
                        + "replicasAssignments were set; only one of them may be used");
            } else {
                error = topicAdmin.createTopic(topic.name(), topic.numPartitions(), topic.replicationFactor(),
                        assignments(topic), configs(topic), request.validateOnly());
            }
            if (error.isFailure()) {
                result.setErrorCode(error.error().code()).setErrorMessage(error.messageWithFallback());
            } else if (context.apiVersion() >= 5) {
                describe(topic, result, request.validateOnly());
            }
            response.topics().add(result);
        }
        return response;
    }

    private static Map<Integer, List<Integer>> assignments(CreatableTopic topic) {
        Map<Integer, List<Integer>> assignments = new LinkedHashMap<>();
        for (CreatableReplicaAssignment assignment : topic.assignments()) {
            assignments.put(assignment.partitionIndex(), assignment.brokerIds());
        }
        return assignments;
    }

    private static Map<String, String> configs(CreatableTopic topic) {
        Map<String, String> configs = new LinkedHashMap<>();
        for (CreatableTopicConfig config : topic.configs()) {
            configs.put(config.name(), config.value());
        }
        return configs;
    }

    /** Fills in what the topic is (or would be, for validateOnly) once created. */
    private void describe(CreatableTopic topic, CreatableTopicResult result, boolean validateOnly) {
        Optional<TopicView> view = validateOnly ? Optional.empty() : cluster.topic(topic.name());
        List<ConfigEntry> entries = validateOnly ? null : topicAdmin.describeTopicConfig(topic.name());
        if (view.isPresent() && !view.get().partitions().isEmpty()) {
            TopicView created = view.get();
            result.setTopicId(created.topicId() == null ? Uuid.ZERO_UUID : created.topicId())
                    .setNumPartitions(created.partitions().size())
                    .setReplicationFactor((short) created.partitions().get(0).replicas().size());
        } else {
            Map<String, String> brokerConfig = brokerConfig();
            int partitions = !topic.assignments().isEmpty() ? topic.assignments().size()
                    : topic.numPartitions() != -1 ? topic.numPartitions()
                    : intValue(brokerConfig.get("num.partitions"), -1);
            int replicas = !topic.assignments().isEmpty() ? topic.assignments().iterator().next().brokerIds().size()
                    : topic.replicationFactor() != -1 ? topic.replicationFactor()
                    : intValue(brokerConfig.get("default.replication.factor"), -1);
            result.setNumPartitions(partitions).setReplicationFactor((short) replicas);
        }
        if (entries != null) {
            for (ConfigEntry entry : entries) {
                result.configs().add(new CreatableTopicConfigs().setName(entry.name())
                        .setValue(entry.sensitive() ? null : entry.value()).setReadOnly(entry.readOnly())
                        .setConfigSource(entry.source()).setIsSensitive(entry.sensitive()));
            }
        } else {
            // Only the overrides asked for are known without the topic.
            for (CreatableTopicConfig config : topic.configs()) {
                result.configs().add(new CreatableTopicConfigs().setName(config.name()).setValue(config.value())
                        .setConfigSource(ConfigEntry.SOURCE_TOPIC));
            }
        }
    }

    private Map<String, String> brokerConfig() {
        Map<String, String> values = new HashMap<>();
        for (ConfigEntry entry : topicAdmin.describeBrokerConfig()) {
            values.put(entry.name(), entry.value());
        }
        return values;
    }

    private static int intValue(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
