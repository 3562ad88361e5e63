package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.Test;

public class ClusterHealthTest {
    private static final Node B0 = new Node(0, "h0", 9092);
    private static final Node B1 = new Node(1, "h1", 9092);
    private static final Node B2 = new Node(2, "h2", 9092);

    @Test
    public void underReplicatedMeansFewerInSyncReplicasThanReplicasAndOfflineMeansNoLeader() {
        TopicDescription orders = new TopicDescription("orders", false, List.of(
                new TopicPartitionInfo(0, B0, List.of(B0, B1, B2), List.of(B0, B1, B2)),
                new TopicPartitionInfo(1, B1, List.of(B1, B2, B0), List.of(B1)),
                new TopicPartitionInfo(2, Node.noNode(), List.of(B2, B0, B1), List.of())));
        TopicDescription single = new TopicDescription("single", false, List.of(
                new TopicPartitionInfo(0, null, List.of(B0), List.of(B0))));
        List<TopicDescription> topics = List.of(orders, single);
        assertEquals("only topics with an under-replicated partition need their min ISR", Set.of("orders"),
                ClusterPlugin.Health.underReplicatedTopics(topics));
        assertEquals("partition 1 has 1 in-sync replica of the 2 required, partition 2 none",
                new ClusterPlugin.Health(2, 4, 2, 2, 2), ClusterPlugin.Health.of(topics, Map.of("orders", 2)));
        assertEquals("min ISR 1 (the default): only partition 2, with no in-sync replica",
                new ClusterPlugin.Health(2, 4, 2, 1, 2), ClusterPlugin.Health.of(topics, Map.of()));
    }
}
