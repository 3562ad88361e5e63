package io.samsa.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Rack-unaware replica placement in the manner of Kafka: leaders go round-robin over the
 * brokers from a random starting broker, and each partition's followers follow its leader at a
 * distance that shifts by one after every full round of the brokers, so that the followers of
 * one broker's leaders are spread over the others.
 */
final class ReplicaAssignment {

    private ReplicaAssignment() {
    }

    static SortedMap<Integer, List<Integer>> assign(List<Integer> brokers, int partitions, int replicationFactor,
            int firstPartition, Random random) {
        int n = brokers.size();
        return assign(brokers, partitions, replicationFactor, firstPartition, random.nextInt(n), random.nextInt(n));
    }

    /**
     * @param brokers       live broker ids, ascending
     * @param startIndex    index of the broker that leads partition 0
     * @param followerShift initial distance (minus one) from a leader to its first follower
     */
    static SortedMap<Integer, List<Integer>> assign(List<Integer> brokers, int partitions, int replicationFactor,
            int firstPartition, int startIndex, int followerShift) {
        int n = brokers.size();
        if (replicationFactor > n) {
            throw new IllegalArgumentException("Replication factor " + replicationFactor + " exceeds the " + n
                    + " available broker(s)");
        }
        SortedMap<Integer, List<Integer>> result = new TreeMap<>();
        int shift = followerShift;
        for (int p = firstPartition; p < firstPartition + partitions; p++) {
            if (p > 0 && p % n == 0) {
                shift++;
            }
            int leaderIndex = (p + startIndex) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(brokers.get(leaderIndex));
            for (int j = 0; j < replicationFactor - 1; j++) {
                int distance = 1 + (shift + j) % (n - 1);
                replicas.add(brokers.get((leaderIndex + distance) % n));
            }
            result.put(p, List.copyOf(replicas));
        }
        return result;
    }
}
