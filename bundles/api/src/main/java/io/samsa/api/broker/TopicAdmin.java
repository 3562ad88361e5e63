package io.samsa.api.broker;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.requests.ApiError;
import org.osgi.annotation.versioning.ProviderType;

/** Creating, deleting and configuring topics, as CreateTopics, DeleteTopics, CreatePartitions and DescribeConfigs ask. */
@ProviderType
public interface TopicAdmin {

    /**
     * Creates a topic.
     *
     * @param numPartitions     -1 for the broker's {@code num.partitions}
     * @param replicationFactor -1 for the broker's {@code default.replication.factor}
     * @param assignments       explicit replica assignment by partition, or empty
     * @param configs           topic-level config overrides (validated)
     * @param validateOnly      check everything but create nothing
     * @return {@link ApiError#NONE} or the error (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION,
     *         INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG, ...)
     */
    ApiError createTopic(String name, int numPartitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments, Map<String, String> configs, boolean validateOnly);

    /**
     * Creates {@code name} with broker defaults if {@code auto.create.topics.enable} is true.
     *
     * @return NONE when created or already there; UNKNOWN_TOPIC_OR_PARTITION when auto-creation is
     *         off; INVALID_TOPIC_EXCEPTION for a bad name
     */
    ApiError autoCreateTopic(String name);

    /** Deletes a topic: TOPIC_DELETION_DISABLED when {@code delete.topic.enable} is false. */
    ApiError deleteTopic(String name);

    /** Grows a topic to {@code totalCount} partitions. */
    ApiError createPartitions(String name, int totalCount, List<List<Integer>> newAssignments, boolean validateOnly);

    /** The effective configuration of a topic (defaults included), or null when the topic does not exist. */
    List<ConfigEntry> describeTopicConfig(String topic);

    /** The broker's configuration. */
    List<ConfigEntry> describeBrokerConfig();

    /**
     * The configuration of broker {@code broker} (its id), or with {@code broker} empty the
     * cluster-wide dynamic defaults alone, each value with its source.
     *
     * @return null when {@code broker} is neither empty nor this broker's id
     * @since 1.2
     */
    default List<ConfigEntry> describeBrokerConfig(String broker) {
        return broker.isEmpty() ? List.of() : describeBrokerConfig();
    }

    /**
     * Changes the dynamic configuration of broker {@code broker} (an id), or with {@code broker}
     * empty the cluster-wide default of every broker; {@code incremental=false} replaces every
     * dynamic value of that level. A null value deletes one. Kafka's errors: INVALID_REQUEST for
     * a key that cannot change while brokers run, INVALID_CONFIG for a bad value.
     *
     * @since 1.2
     */
    default ApiError alterBrokerConfig(String broker, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        return new ApiError(org.apache.kafka.common.protocol.Errors.INVALID_REQUEST,
                "Broker configs cannot be altered on this broker");
    }

    /**
     * Replaces ({@code incremental=false}) or changes a topic's config overrides; a null value
     * deletes an override.
     */
    ApiError alterTopicConfig(String topic, Map<String, String> changes, boolean incremental, boolean validateOnly);
}
