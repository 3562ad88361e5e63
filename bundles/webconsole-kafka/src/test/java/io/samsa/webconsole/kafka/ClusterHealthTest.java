package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;

import java.util.List;

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
        ClusterPlugin.Health health = ClusterPlugin.Health.of(List.of(orders, single));
        assertEquals(new ClusterPlugin.Health(2, 4, 2, 2), health);
    }
}
