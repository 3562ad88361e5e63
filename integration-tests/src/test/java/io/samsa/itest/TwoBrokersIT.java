package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.Test;

/**
 * Two brokers on one machine (the seed's FAQ), with the seed's broker ids: the first runs the
 * embedded ZooKeeper, the second joins it through {@code zookeeper.connect} as it would join an
 * external ensemble. Partitions spread over both; clients bootstrapped from one reach both.
 */
public class TwoBrokersIT {

    @Test
    public void secondBrokerJoinsThroughZookeeperConnect() throws Exception {
        try (SamsaProcess first = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-b53"),
                Map.of("broker.id", "53")).start(53)) {
            try (SamsaProcess second = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-b54"),
                    Map.of("broker.id", "54", "zookeeper.connect", "127.0.0.1:" + first.zkPort)).start(54);
                 Admin admin = KafkaClients.admin(first.bootstrap())) {
                KafkaClients.waitUntil("both brokers in the cluster", Duration.ofSeconds(60), () -> {
                    try {
                        return admin.describeCluster().nodes().get().size() == 2;
                    } catch (Exception e) {
                        return false;
                    }
                });
                Set<Integer> ids = new HashSet<>();
                for (Node n : admin.describeCluster().nodes().get()) {
                    ids.add(n.id());
                }
                assertEquals(Set.of(53, 54), ids);
                assertEquals("one cluster", admin.describeCluster().clusterId().get(),
                        KafkaClients.admin(second.bootstrap()).describeCluster().clusterId().get());

                admin.createTopics(List.of(new NewTopic("spread", 4, (short) 1))).all().get();
                // Right after creation a partition may still show no leader, as with Kafka.
                Set<Integer> leaders = new HashSet<>();
                KafkaClients.waitUntil("every partition of 'spread' to have a leader", Duration.ofSeconds(30), () -> {
                    try {
                        TopicDescription d = admin.describeTopics(List.of("spread")).allTopicNames().get().get("spread");
                        leaders.clear();
                        for (TopicPartitionInfo p : d.partitions()) {
                            if (p.leader() == null) {
                                return false;
                            }
                            leaders.add(p.leader().id());
                        }
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertEquals("partitions on both brokers", Set.of(53, 54), leaders);

                try (KafkaProducer<String, String> p = KafkaClients.producer(first.bootstrap(), Map.of())) {
                    for (int i = 0; i < 40; i++) {
                        p.send(new ProducerRecord<>("spread", i % 4, null, "v" + i)).get();
                    }
                }
                try (KafkaConsumer<String, String> c = KafkaClients.consumer(first.bootstrap(), "spread-group", Map.of())) {
                    c.subscribe(List.of("spread"));
                    List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(c, 40, Duration.ofSeconds(60));
                    assertEquals(40, got.size());
                }
                assertTrue(second.isAlive());
            }
        }
    }
}
