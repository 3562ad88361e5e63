package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The multi-broker harness on today's code: a ZooKeeper process and three broker processes
 * register as one cluster, spread RF1 partitions, pass the history checker under an idempotent
 * producer, and leave and rejoin the cluster on SIGSTOP/SIGCONT, SIGKILL/restart and a cut
 * ZooKeeper link, within the session timeout the tests configure.
 */
public class ClusterHarnessIT {

    private static final Set<Integer> ALL = Set.of(0, 1, 2);
    private static SamsaCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = SamsaCluster.start(3, Map.of());
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @After
    public void allBrokersBackUp() throws Exception {
        cluster.ensureAllRunning();
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        // Default timeouts: a CreateTopics retried after a short request timeout would find its own topic.
        try (Admin admin = KafkaClients.admin(cluster.liveBootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    @Test
    public void threeBrokersRegisterAsOneClusterAndSpreadPartitions() throws Exception {
        assertEquals(ALL, cluster.registered().orElseThrow());
        Set<String> clusterIds = new HashSet<>();
        for (int id : ALL) {
            try (Admin admin = KafkaClients.admin(cluster.broker(id).bootstrap())) {
                clusterIds.add(admin.describeCluster().clusterId().get());
            }
        }
        assertEquals("every broker reports the same cluster id: " + clusterIds, 1, clusterIds.size());

        createTopic("spread", 6);
        Map<Integer, Integer> leaders = cluster.awaitLeaders("spread", Duration.ofSeconds(30));
        assertEquals("RF1 partitions on every broker: " + leaders, ALL, new HashSet<>(leaders.values()));
    }

    @Test
    public void idempotentProducerHistoryIsClean() throws Exception {
        String topic = "history";
        int partitions = 6;
        int records = 1200;
        createTopic(topic, partitions);
        cluster.awaitLeaders(topic, Duration.ofSeconds(30));

        List<HistoryChecker.PartitionSnapshot> snapshots = new ArrayList<>(cluster.snapshot(topic));
        assertEquals("every broker reports every partition", 3 * partitions, snapshots.size());
        AckLedger ledger = new AckLedger();
        try (KafkaProducer<String, String> producer = KafkaClients.producer(cluster.bootstrap(), Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000))) {
            for (int i = 0; i < records; i++) {
                AckLedger.Send s = ledger.next("p0", new TopicPartition(topic, i % partitions));
                producer.send(new ProducerRecord<>(topic, s.partition.partition(), null, s.value), ledger.callback(s));
            }
            producer.flush();
        }
        assertEquals("every send acknowledged", records, ledger.count(AckLedger.Outcome.ACKED));

        snapshots.addAll(cluster.snapshot(topic));
        List<HistoryChecker.Read> reads = LogDrain.drain(cluster.bootstrap(), topic, "drain", Duration.ofSeconds(60));
        HistoryChecker.Report report = HistoryChecker.check(ledger.sends(), reads, snapshots);
        assertTrue(report.toString(), report.clean());
        assertEquals(report.toString(), records, report.distinctValuesRead());

        // The same drain minus one record: the checker is not vacuous on real data.
        List<HistoryChecker.Read> oneMissing = new ArrayList<>(reads);
        HistoryChecker.Read removed = oneMissing.remove(oneMissing.size() / 2);
        HistoryChecker.Report broken = HistoryChecker.check(ledger.sends(), oneMissing);
        assertEquals(broken.toString(), 1, broken.of(HistoryChecker.Kind.LOST).size());
        assertEquals(removed.value(), broken.of(HistoryChecker.Kind.LOST).get(0).value());
    }

    @Test
    public void pausedBrokerLeavesAfterItsSessionAndRejoinsOnResume() throws Exception {
        createTopic("after-pause", 3);
        Map<Integer, Integer> leaders = cluster.awaitLeaders("after-pause", Duration.ofSeconds(30));
        int onBroker2 = leaders.entrySet().stream().filter(e -> e.getValue() == 2).findFirst()
                .orElseThrow(() -> new AssertionError("no partition of after-pause on broker 2: " + leaders)).getKey();

        cluster.pause(2);
        assertTrue(cluster.isPaused(2));
        Duration gone = cluster.awaitRegistered(Set.of(0, 1), Duration.ofSeconds(30));
        assertTrue("a paused broker is dropped after its " + SamsaCluster.SESSION_TIMEOUT_MS + " ms session, took "
                + gone.toMillis() + " ms", gone.toMillis() < 3L * SamsaCluster.SESSION_TIMEOUT_MS);

        cluster.resume(2);
        assertFalse(cluster.isPaused(2));
        cluster.awaitRegistered(ALL, Duration.ofSeconds(30));

        // Back, and serving what it led before the pause.
        try (KafkaProducer<String, String> producer = KafkaClients.producer(cluster.bootstrap(), Map.of())) {
            long offset = producer.send(new ProducerRecord<>("after-pause", onBroker2, null, "back")).get().offset();
            assertEquals("the first record of partition " + onBroker2, 0, offset);
        }
    }

    @Test
    public void brokerCutOffFromZooKeeperLeavesAndRejoinsOnHeal() throws Exception {
        LinkProxy link = cluster.zooKeeperLink(0);
        link.mode(LinkProxy.Mode.BLACKHOLE);
        try {
            // Asked themselves: broker 0 still answers, from the view it had before the cut.
            Duration gone = cluster.awaitRegistered(Set.of(1, 2), Set.of(1, 2), Duration.ofSeconds(30));
            assertTrue("a broker cut off ZooKeeper is dropped after its " + SamsaCluster.SESSION_TIMEOUT_MS
                    + " ms session, took " + gone.toMillis() + " ms",
                    gone.toMillis() < 3L * SamsaCluster.SESSION_TIMEOUT_MS);
            assertTrue("only its coordination link is cut: the broker runs", cluster.broker(0).isAlive());
            assertTrue("and answers clients", cluster.brokersSeenBy(0).isPresent());
        } finally {
            link.mode(LinkProxy.Mode.PASS);
        }
        cluster.awaitRegistered(ALL, Duration.ofSeconds(30));
    }

    @Test
    public void killedBrokerLeavesWithinItsSessionTimeoutAndRejoinsOnRestart() throws Exception {
        cluster.kill(1);
        assertFalse(cluster.broker(1).isAlive());
        Duration gone = cluster.awaitRegistered(Set.of(0, 2), Duration.ofSeconds(30));
        // With Kafka's default 18 s session this would take longer: the setting is honoured.
        assertTrue("a killed broker is dropped after its " + SamsaCluster.SESSION_TIMEOUT_MS + " ms session, took "
                + gone.toMillis() + " ms", gone.toMillis() < 3L * SamsaCluster.SESSION_TIMEOUT_MS);

        cluster.restart(1);
        assertTrue(cluster.broker(1).isAlive());
        cluster.awaitRegistered(ALL, Duration.ofSeconds(30));
    }
}
