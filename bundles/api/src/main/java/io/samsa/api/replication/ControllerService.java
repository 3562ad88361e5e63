package io.samsa.api.replication;

import java.util.List;
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

    /**
     * Begins, replaces or cancels partition reassignments, as Kafka's AlterPartitionReassignments
     * does: a partition given target replicas gets them added to its assignment (the topic node's
     * {@code adding}/{@code removing} record the move, and survive a change of controller); once
     * every target replica is in sync, leadership moves into the target if it must and the
     * replicas not in the target are dropped. A partition given no target has its reassignment
     * cancelled: its original replicas are restored.
     *
     * @param targets per partition its target replicas (the preferred leader first), or empty to
     *        cancel its reassignment
     * @param allowReplicationFactorChange false to refuse a target of another size than the
     *        partition's replica list
     * @return per partition {@link ApiError#NONE} once the move is recorded (it completes later),
     *         else {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code INVALID_REPLICA_ASSIGNMENT} (no
     *         replicas, one twice, a broker not registered), {@code INVALID_REPLICATION_FACTOR}
     *         or {@code NO_REASSIGNMENT_IN_PROGRESS} (a cancel where there is nothing to cancel);
     *         failed with {@link org.apache.kafka.common.errors.NotControllerException} on a broker
     *         that is not the controller
     * @since 1.2
     */
    CompletionStage<Map<TopicPartition, ApiError>> alterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowReplicationFactorChange);

    /**
     * The reassignments in progress: each partition's full replica list with its adding and
     * removing replicas.
     *
     * @param partitions the partitions to look at, or empty for all; a named partition with no
     *        reassignment in progress (or that does not exist) is left out
     * @since 1.2
     */
    CompletionStage<Map<TopicPartition, PartitionAssignment>> listPartitionReassignments(
            Optional<Set<TopicPartition>> partitions);
}
