package io.samsa.api.broker;

import java.util.List;

/**
 * A partition's replicas and leadership.
 *
 * @param partition   partition number
 * @param leader      broker id of the leader, or -1 when none is available
 * @param leaderEpoch incremented at every leader change
 * @param replicas    assigned replicas, preferred leader first
 * @param isr         in-sync replicas
 * @param offline     replicas whose log dir is offline
 */
public record PartitionView(int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
        List<Integer> offline) {
}
