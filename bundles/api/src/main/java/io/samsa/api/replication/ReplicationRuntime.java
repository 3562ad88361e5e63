package io.samsa.api.replication;

import java.util.Optional;

import org.apache.kafka.common.TopicPartition;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Replication for one running broker: the leaders it has, and the fetchers that copy the
 * partitions it follows. The broker calls {@link #apply} from its one metadata thread whenever a
 * partition's state or assignment changes; the runtime does the rest on its own threads.
 */
@ProviderType
public interface ReplicationRuntime extends AutoCloseable {

    /**
     * Applies the stored state of a partition this broker holds a replica of. When {@code state}
     * names this broker leader, the replica becomes (or stays) leader for that epoch and its
     * leadership is returned; otherwise any leadership of it ends (its waiting writes are answered
     * NOT_LEADER_OR_FOLLOWER) and it follows {@code state.leader()}, fetching, if there is one.
     * Applying an ISR change of the current epoch keeps the leadership and adopts the stored ISR.
     *
     * @return the leadership, empty when this broker does not lead the partition
     */
    Optional<LeaderReplica> apply(LocalReplica replica, PartitionAssignment assignment, PartitionState state,
            ReplicaSettings settings);

    /** Stops leading and following {@code partition}: its replica is closed, deleted or moved away. */
    void remove(TopicPartition partition);

    /** Stops every fetcher and ends every leadership. */
    @Override
    void close();
}
