package io.samsa.api.replication;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.osgi.annotation.versioning.ProviderType;

import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.Watch;

/**
 * Topics, replica assignments, partition states and topic configs in the coordinator, laid out
 * as Apache Kafka 2.x lays them out in ZooKeeper ({@code /brokers/topics/<t>},
 * {@code .../partitions/<p>/state}, {@code /config/topics/<t>}, {@code /controller}), whichever
 * coordinator holds the tree.
 * <p>
 * Every change of a partition's state compares its partition epoch: a leader that changes its ISR
 * and a controller that elects a leader both name the state they decided from, and lose when
 * someone wrote in between. A controller also passes its election's {@link Op fence}, so that a
 * deposed controller writes nothing. Reads go to the coordinator; callers that need to be fast
 * keep their own view, fed by {@link #watch}.
 * <p>
 * Methods block until the coordinator answers and throw
 * {@link io.samsa.api.coordination.CoordinationException} when it cannot be reached.
 */
@ProviderType
public interface ClusterMetadataStore {

    /** Every topic's name. */
    List<String> topicNames();

    /** The topic, with its partitions' states; empty when absent or still being written. */
    Optional<TopicRecord> topic(String name);

    /** The partition's state, at its partition epoch; empty when not written yet. */
    Optional<PartitionState> partitionState(TopicPartition partition);

    /**
     * Creates a topic: its assignment and configs, not its partitions' states (the controller
     * elects their first leaders). Of two callers creating one name, one wins.
     *
     * @return false when a topic of that name exists
     */
    boolean createTopic(String name, Uuid topicId, SortedMap<Integer, PartitionAssignment> partitions,
            Map<String, String> configs);

    /**
     * Replaces a topic's assignment (partitions added, a reassignment begun or finished) if its
     * node is still at {@code expectedVersion}.
     *
     * @param fence the controller's fence, or empty for a write any broker may make
     * @return the topic node's new version, or -1 when it had changed (nothing was written)
     * @throws FencedException when the fence failed
     */
    int updateAssignment(String topic, int expectedVersion, SortedMap<Integer, PartitionAssignment> partitions,
            Optional<Op> fence);

    /**
     * Writes a partition's state if it is still at {@code expectedPartitionEpoch}
     * ({@link io.samsa.api.coordination.Coordinator#ABSENT} to create the first state).
     *
     * @param fence the controller's fence, or empty for a leader's ISR change
     */
    StateUpdate updatePartitionState(TopicPartition partition, int expectedPartitionEpoch, PartitionState next,
            Optional<Op> fence);

    /** Deletes the topic with its states and configs. @return false when it did not exist */
    boolean deleteTopic(String topic);

    /**
     * The config overrides of an entity, Kafka's {@code /config/<entityType>/<name>}: entity type
     * {@code topics} with a topic name, or {@code brokers} with a broker id or {@code <default>}.
     * Empty when it has none.
     */
    Map<String, String> configs(String entityType, String entityName);

    /** Replaces the config overrides of an entity (see {@link #configs}). */
    void writeConfigs(String entityType, String entityName, Map<String, String> configs);

    /**
     * Claims the next {@code size} producer ids for {@code brokerId}, after the last block anyone
     * claimed, by compare-and-set: blocks never overlap.
     *
     * @throws IllegalStateException when the ids are exhausted or the block node is unreadable
     * @since 1.1
     */
    ProducerIdBlock claimProducerIdBlock(int brokerId, int size);

    /** The controller's broker id, if one is elected. */
    OptionalInt controllerId();

    /**
     * Tells {@code listener} of every change until the watch is closed, starting with
     * {@link MetadataListener#resync()}.
     */
    Watch watch(MetadataListener listener);

    /** A controller's write failed at its fence: another controller was elected since. */
    final class FencedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public FencedException(String message) {
            super(message);
        }
    }
}
