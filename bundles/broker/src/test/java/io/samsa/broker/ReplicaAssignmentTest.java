package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;

import org.junit.Test;

public class ReplicaAssignmentTest {

    private static final List<Integer> BROKERS = List.of(0, 1, 2, 3, 4);

    @Test
    public void leadersGoRoundRobinAndFollowersShift() {
        SortedMap<Integer, List<Integer>> a = ReplicaAssignment.assign(BROKERS, 10, 3, 0, 0, 0);
        assertEquals(List.of(0, 1, 2), a.get(0));
        assertEquals(List.of(1, 2, 3), a.get(1));
        assertEquals(List.of(4, 0, 1), a.get(4));
        // After a full round of brokers the followers move one broker further away.
        assertEquals(List.of(0, 2, 3), a.get(5));
        assertEquals(List.of(4, 1, 2), a.get(9));
    }

    @Test
    public void spreadsLeadersAndReplicasEvenly() {
        SortedMap<Integer, List<Integer>> a = ReplicaAssignment.assign(BROKERS, 50, 3, 0, new Random(7));
        Map<Integer, Integer> leaders = new HashMap<>();
        Map<Integer, Integer> replicas = new HashMap<>();
        for (List<Integer> r : a.values()) {
            assertEquals("distinct replicas " + r, 3, new HashSet<>(r).size());
            leaders.merge(r.get(0), 1, Integer::sum);
            r.forEach(b -> replicas.merge(b, 1, Integer::sum));
        }
        leaders.values().forEach(n -> assertEquals(10, (int) n));
        replicas.values().forEach(n -> assertEquals(30, (int) n));
    }

    @Test
    public void continuesNumberingForNewPartitions() {
        SortedMap<Integer, List<Integer>> a = ReplicaAssignment.assign(List.of(0, 1, 2), 2, 2, 3, 0, 0);
        assertEquals(List.of(3, 4), List.copyOf(a.keySet()));
        assertTrue(a.values().stream().allMatch(r -> r.size() == 2));
    }

    @Test
    public void refusesMoreReplicasThanBrokers() {
        assertThrows(IllegalArgumentException.class, () -> ReplicaAssignment.assign(List.of(0), 1, 2, 0, 0, 0));
    }
}
