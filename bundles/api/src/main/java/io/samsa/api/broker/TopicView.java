package io.samsa.api.broker;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;

/**
 * A topic's metadata.
 *
 * @param name       topic name
 * @param topicId    the topic's id, assigned at creation
 * @param internal   true for internal topics such as {@code __consumer_offsets}
 * @param partitions the partitions by ascending partition number
 * @param configs    the topic-level config overrides
 */
public record TopicView(String name, Uuid topicId, boolean internal, List<PartitionView> partitions,
        Map<String, String> configs) {
}
