package io.samsa.api.replication;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.ApiError;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the cluster's controller does on request: every broker's controller component publishes
 * it, and only the elected one acts; the others answer
 * {@link org.apache.kafka.common.errors.NotControllerException}, which Kafka's clients take as a
 * cue to find the controller again.
 */
@ProviderType
public interface ControllerService {

    /**
     * Where a broker about to stop asks for a controlled shutdown: it creates the ephemeral child
     * {@code <brokerId>} holding its broker epoch in decimal, and the controller moves its
     * leaderships and ISR places to other brokers. A request counts only while the broker is
     * registered with that epoch.
     */
    String CONTROLLED_SHUTDOWN_PATH = "/samsa/controlled_shutdown";

    /**
     * Elects leaders as Kafka's ElectLeaders asks: {@link ElectionType#PREFERRED} moves leadership
     * to the first assigned replica when it is live and in sync; {@link ElectionType#UNCLEAN}
     * elects a live replica outside the ISR for a partition that has no leader.
     *
     * @param partitions the partitions, or empty for every partition of every topic
     * @return per partition the outcome: {@link ApiError#NONE} when a leader was elected, else
     *         {@code ELECTION_NOT_NEEDED}, {@code PREFERRED_LEADER_NOT_AVAILABLE},
     *         {@code ELIGIBLE_LEADERS_NOT_AVAILABLE} or {@code UNKNOWN_TOPIC_OR_PARTITION}; failed
     *         with {@link org.apache.kafka.common.errors.NotControllerException} on a broker that
     *         is not the controller
     */
    CompletionStage<Map<TopicPartition, ApiError>> electLeaders(ElectionType type,
            Optional<Set<TopicPartition>> partitions);
}
