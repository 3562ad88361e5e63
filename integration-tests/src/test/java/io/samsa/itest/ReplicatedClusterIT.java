package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.samsa.testsupport.Poll;

/**
 * Replication and failover with real broker processes, a real ZooKeeper process and real Kafka
 * clients: three brokers, topics with replication factor 3 and {@code min.insync.replicas=2},
 * idempotent {@code acks=all} producers whose every send is kept in an {@link AckLedger}, faults
 * by SIGKILL, SIGSTOP and a cut ZooKeeper link, and a final drain checked by the
 * {@link HistoryChecker}: no acknowledged record lost, moved, duplicated or reordered.
 */
public class ReplicatedClusterIT {

    private static final Duration FAILOVER = Duration.ofSeconds(40);
    private static SamsaCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        // leadership moves back to preferred replicas only when a test asks (kafka-leader-election.sh)
        cluster = SamsaCluster.start(3, Map.of("auto.leader.rebalance.enable", "false"));
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

    private static void createReplicatedTopic(String topic, int partitions) throws Exception {
        try (Admin admin = KafkaClients.admin(cluster.liveBootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get();
        }
        cluster.awaitLeaders(topic, FAILOVER);
        cluster.awaitIsr(topic, 3, FAILOVER);
    }

    private static KafkaProducer<String, String> durableProducer(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000));
        config.putAll(extra);
        return KafkaClients.producer(cluster.bootstrap(), config);
    }

    /** Sends {@code count} records round robin over the partitions of {@code topic}, waiting for all answers. */
    private static void sendAll(KafkaProducer<String, String> producer, AckLedger ledger, String name, String topic,
            int partitions, int count) {
        for (int i = 0; i < count; i++) {
            AckLedger.Send s = ledger.next(name, new TopicPartition(topic, i % partitions));
            producer.send(new ProducerRecord<>(topic, s.partition.partition(), null, s.value), ledger.callback(s));
        }
        producer.flush();
    }

    private static HistoryChecker.Report check(AckLedger ledger, String topic,
            List<HistoryChecker.PartitionSnapshot> snapshots) {
        List<HistoryChecker.Read> reads = LogDrain.drain(cluster.liveBootstrap(), topic, "drain", FAILOVER);
        return HistoryChecker.check(ledger.sends(), reads, snapshots);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition}; a failed call (a broker just killed, a leader moving) counts as "not yet". */
    private static void until(Duration timeout, Condition condition, String what) {
        try {
            Poll.until(timeout, () -> {
                try {
                    return condition.holds();
                } catch (Exception e) {
                    return false;
                }
            }, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nbroker logs in " + cluster.saveLogs("ReplicatedClusterIT")
                    + "\n" + cluster.outputs(), e);
        }
    }

    /** The leader of {@code tp} once a broker names one (a broker may not have applied a new topic yet). */
    private static int leaderOf(TopicPartition tp) {
        int[] leader = {-1};
        until(FAILOVER, () -> {
            TopicPartitionInfo now = describe(tp);
            leader[0] = now.leader() == null || now.leader().isEmpty() ? -1 : now.leader().id();
            return leader[0] >= 0;
        }, "a broker names the leader of " + tp);
        return leader[0];
    }

    private static TopicPartitionInfo describe(TopicPartition tp) throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicDescription d = admin.describeTopics(List.of(tp.topic())).allTopicNames().get().get(tp.topic());
            return d.partitions().get(tp.partition());
        }
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    /** Size of each replica of {@code topic}'s partitions, by partition and broker, from DescribeLogDirs. */
    private static Map<Integer, Map<Integer, Long>> replicaSizes(String topic) throws Exception {
        Map<Integer, Map<Integer, Long>> sizes = new TreeMap<>();
        try (Admin admin = cluster.admin()) {
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(cluster.ids())
                    .allDescriptions().get();
            dirs.forEach((broker, byDir) -> byDir.values().forEach(dir -> {
                for (Map.Entry<TopicPartition, ReplicaInfo> r : dir.replicaInfos().entrySet()) {
                    if (r.getKey().topic().equals(topic)) {
                        sizes.computeIfAbsent(r.getKey().partition(), p -> new TreeMap<>()).put(broker,
                                r.getValue().size());
                    }
                }
            }));
        }
        return sizes;
    }

    @Test
    public void everyReplicaHoldsWhatTheLeaderAcknowledged() throws Exception {
        String topic = "replicated";
        createReplicatedTopic(topic, 3);
        for (int p = 0; p < 3; p++) {
            TopicPartitionInfo info = describe(new TopicPartition(topic, p));
            assertEquals("three replicas of partition " + p + ": " + info, 3, info.replicas().size());
            assertEquals("all in sync: " + info, Set.copyOf(ids(info.replicas())), Set.copyOf(ids(info.isr())));
        }
        List<HistoryChecker.PartitionSnapshot> snapshots = new ArrayList<>(cluster.snapshot(topic));
        AckLedger ledger = new AckLedger();
        try (KafkaProducer<String, String> producer = durableProducer(Map.of())) {
            sendAll(producer, ledger, "p", topic, 3, 900);
        }
        assertEquals("every acks=all send acknowledged", 900, ledger.count(AckLedger.Outcome.ACKED));

        // Followers copy the leader's batches as they are: equal sizes on all three brokers.
        Map<Integer, Map<Integer, Long>>[] last = new Map[1];
        try {
            until(FAILOVER, () -> {
                last[0] = replicaSizes(topic);
                return last[0].size() == 3 && last[0].values().stream()
                        .allMatch(bySize -> bySize.size() == 3 && bySize.values().stream().distinct().count() == 1
                                && bySize.values().iterator().next() > 0);
            }, "every replica of " + topic + " has the same non-empty size");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + last[0] + "\n" + cluster.outputs(), e);
        }
        snapshots.addAll(cluster.snapshot(topic));
        HistoryChecker.Report report = check(ledger, topic, snapshots);
        assertTrue(report.toString(), report.clean());
        assertEquals(report.toString(), 900, report.distinctValuesRead());
    }

    /**
     * Idempotent acks=all sends in the background, paced; {@link #stop()} ends them and waits for
     * every answer.
     */
    private static final class Stream implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Stream(AckLedger ledger, String topic, int partitions) {
            producer = durableProducer(Map.of());
            thread = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    AckLedger.Send s = ledger.next("stream", new TopicPartition(topic, i % partitions));
                    try {
                        producer.send(new ProducerRecord<>(topic, s.partition.partition(), null, s.value),
                                ledger.callback(s));
                    } catch (RuntimeException e) {
                        // the producer refuses sends (a fatal error): recorded, and the stream ends
                        ledger.failed(s, e);
                        return;
                    }
                    if (i % 20 == 0) {
                        try {
                            Thread.sleep(10); // about 2,000 sends a second until stopped; waits for nothing
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "acks-all-stream");
            thread.start();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
            producer.flush();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
            producer.close();
        }
    }

    /** A consumer group member reading {@code topic} on its own thread, committing after every poll. */
    private static final class GroupReader implements AutoCloseable {
        final Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        GroupReader(String topic, String group) {
            thread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(cluster.bootstrap(), group,
                        Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000))) {
                    consumer.subscribe(List.of(topic));
                    while (!stop.get()) {
                        try {
                            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                                seen.add(r.value());
                            }
                            consumer.commitSync(Duration.ofSeconds(10));
                        } catch (org.apache.kafka.common.errors.RetriableException
                                | org.apache.kafka.clients.consumer.CommitFailedException e) {
                            // a coordinator or leader moving: the group goes on from its last commit
                        }
                    }
                }
            }, "group-reader");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private static String failures(AckLedger ledger) {
        return ledger.sends().stream().filter(s -> s.outcome() == AckLedger.Outcome.FAILED).limit(3)
                .map(s -> s + " " + s.error()).toList().toString();
    }

    private static int awaitNewLeader(TopicPartition tp, int old) {
        int[] leader = {-1};
        until(FAILOVER, () -> {
            TopicPartitionInfo now = describe(tp);
            leader[0] = now.leader() == null || now.leader().isEmpty() ? -1 : now.leader().id();
            return leader[0] >= 0 && leader[0] != old;
        }, "a new leader of " + tp + " after broker " + old + " was lost");
        return leader[0];
    }

    @Test
    public void killingTheLeaderTwiceMidStreamLosesNoAcknowledgedRecord() throws Exception {
        String topic = "failover";
        int partitions = 3;
        createReplicatedTopic(topic, partitions);
        TopicPartition p0 = new TopicPartition(topic, 0);
        AckLedger ledger = new AckLedger();
        List<HistoryChecker.PartitionSnapshot> snapshots = new ArrayList<>(cluster.snapshot(topic));
        GroupReader group = new GroupReader(topic, "failover-group");
        try (Stream stream = new Stream(ledger, topic, partitions)) {
            for (int round = 0; round < 2; round++) {
                long acked = ledger.count(AckLedger.Outcome.ACKED);
                try {
                    until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > acked + 600,
                            "the stream is acknowledged (round " + round + ")");
                } catch (AssertionError e) {
                    throw new AssertionError("failed sends: " + failures(ledger) + "; " + e.getMessage(), e);
                }
                int victim = leaderOf(p0);
                TopicPartitionInfo before = describe(p0);
                cluster.kill(victim);
                int next = awaitNewLeader(p0, victim);
                assertTrue("the new leader " + next + " was in the ISR " + ids(before.isr()),
                        ids(before.isr()).contains(next));
                long atFailover = ledger.count(AckLedger.Outcome.ACKED);
                until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > atFailover + 600,
                        "the stream goes on acknowledging on the new leaders");
                snapshots.addAll(cluster.snapshot(topic));
                // The killed leader comes back as a follower, truncates what it had beyond the
                // new leader's log and rejoins the ISR; then the chase goes on with the new leader.
                cluster.restart(victim);
                cluster.awaitIsr(topic, 3, FAILOVER);
            }
            stream.stop();
        }
        assertEquals("with two of three replicas left, no acks=all send fails: "
                + ledger.sends().stream().filter(s -> s.outcome() == AckLedger.Outcome.FAILED).limit(5)
                        .map(s -> s + " " + s.error()).toList(),
                0, ledger.count(AckLedger.Outcome.FAILED));
        snapshots.addAll(cluster.snapshot(topic));
        HistoryChecker.Report report = check(ledger, topic, snapshots);
        assertTrue(report.toString(), report.clean());
        assertEquals(report.toString(), ledger.count(AckLedger.Outcome.ACKED), report.distinctValuesRead());

        // The group lived through two coordinator and leader moves: it gets to every acknowledged record.
        List<String> acked = ledger.sends().stream().filter(s -> s.outcome() == AckLedger.Outcome.ACKED)
                .map(s -> s.value).toList();
        try {
            until(FAILOVER, () -> group.seen.containsAll(acked), "the consumer group reads every acknowledged record");
        } finally {
            group.close();
        }
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets("failover-group").partitionsToOffsetAndMetadata().get();
            assertEquals("committed offsets of every partition survive: " + committed, partitions, committed.size());
        }
    }

    @Test
    public void aLeaderCutOffFromZooKeeperOnlyLosesNothing() throws Exception {
        // Jepsen 2013: clients and followers still reach the leader; only its coordination link is cut.
        String topic = "isolated";
        createReplicatedTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        AckLedger ledger = new AckLedger();
        List<HistoryChecker.PartitionSnapshot> snapshots = new ArrayList<>(cluster.snapshot(topic));
        int old = leaderOf(tp);
        LinkProxy zk = cluster.zooKeeperLink(old);
        try (Stream stream = new Stream(ledger, topic, 1)) {
            until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > 300, "the stream is acknowledged");
            zk.mode(LinkProxy.Mode.BLACKHOLE);
            try {
                awaitNewLeader(tp, old);
                long atFailover = ledger.count(AckLedger.Outcome.ACKED);
                until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > atFailover + 300,
                        "the stream goes on on the new leader while the old one still runs");
                snapshots.addAll(cluster.snapshot(topic));
            } finally {
                zk.mode(LinkProxy.Mode.PASS);
            }
            cluster.awaitIsr(topic, 3, FAILOVER);
            long healed = ledger.count(AckLedger.Outcome.ACKED);
            until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > healed + 300, "and after the heal");
            stream.stop();
        }
        snapshots.addAll(cluster.snapshot(topic));
        HistoryChecker.Report report = check(ledger, topic, snapshots);
        assertTrue(report.toString(), report.clean());
        assertEquals(report.toString(), ledger.count(AckLedger.Outcome.ACKED), report.distinctValuesRead());
        // and every replica holds the same bytes: nothing the isolated leader took in stayed behind
        Map<Integer, Map<Integer, Long>>[] last = new Map[1];
        until(FAILOVER, () -> {
            last[0] = replicaSizes(topic);
            Map<Integer, Long> sizes = last[0].get(0);
            return sizes != null && sizes.size() == 3 && sizes.values().stream().distinct().count() == 1;
        }, "the three replicas of " + tp + " are the same size: " + last[0]);
    }

    @Test
    public void aPausedFollowerLeavesTheIsrAndRejoinsOnResume() throws Exception {
        String topic = "lagging";
        createReplicatedTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        int leader = leaderOf(tp);
        TopicPartitionInfo info = describe(tp);
        int follower = ids(info.replicas()).stream().filter(id -> id != leader).findFirst().orElseThrow();
        AckLedger ledger = new AckLedger();
        cluster.pause(follower);
        try {
            // one answer for both: two describes may be answered by brokers a metadata update apart
            until(FAILOVER, () -> {
                List<Integer> isr = ids(describe(tp).isr());
                return isr.size() == 2 && !isr.contains(follower);
            }, "broker " + follower + " leaves the ISR of " + tp + " while paused");
            try (KafkaProducer<String, String> producer = durableProducer(Map.of())) {
                sendAll(producer, ledger, "p", topic, 1, 200);
            }
            assertEquals("two in-sync replicas satisfy min.insync.replicas=2", 200,
                    ledger.count(AckLedger.Outcome.ACKED));
        } finally {
            cluster.resume(follower);
        }
        until(FAILOVER, () -> ids(describe(tp).isr()).contains(follower),
                "broker " + follower + " catches up and rejoins the ISR of " + tp);
        HistoryChecker.Report report = check(ledger, topic, cluster.snapshot(topic));
        assertTrue(report.toString(), report.clean());
    }

    @Test
    public void withTwoReplicasDownAcksAllIsRefusedAndNothingEarlierIsLost() throws Exception {
        String topic = "strict";
        createReplicatedTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        AckLedger ledger = new AckLedger();
        try (KafkaProducer<String, String> producer = durableProducer(Map.of())) {
            sendAll(producer, ledger, "before", topic, 1, 100);
        }
        assertEquals(100, ledger.count(AckLedger.Outcome.ACKED));
        int leader = leaderOf(tp);
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        for (int f : followers) {
            cluster.kill(f);
        }
        until(FAILOVER, () -> describe(tp).isr().size() == 1, "the ISR of " + tp + " shrinks to its leader");

        AckLedger refused = new AckLedger();
        try (KafkaProducer<String, String> producer = durableProducer(Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000))) {
            sendAll(producer, refused, "under-min-isr", topic, 1, 5);
        }
        assertEquals("no acks=all send is acknowledged with one in-sync replica of three", 0,
                refused.count(AckLedger.Outcome.ACKED));
        for (AckLedger.Send s : refused.sends()) {
            Throwable cause = s.error();
            assertTrue("refused as NOT_ENOUGH_REPLICAS (or timed out retrying it), not " + cause,
                    cause instanceof NotEnoughReplicasException || cause instanceof TimeoutException);
        }

        for (int f : followers) {
            cluster.restart(f);
        }
        cluster.awaitIsr(topic, 3, FAILOVER);
        List<HistoryChecker.Read> reads = LogDrain.drain(cluster.liveBootstrap(), topic, "drain", FAILOVER);
        HistoryChecker.Report report = HistoryChecker.check(ledger.sends(), reads);
        assertTrue(report.toString(), report.clean());
        assertTrue("no refused record became visible: " + reads,
                reads.stream().noneMatch(r -> r.value().startsWith("under-min-isr")));
    }

    @Test
    public void aLeaderPausedPastItsSessionCannotAcknowledgeAfterResuming() throws Exception {
        String topic = "zombie";
        createReplicatedTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        int old = leaderOf(tp);
        int oldEpoch = cluster.snapshot(topic).stream().filter(s -> s.reporter() == old).findFirst().orElseThrow()
                .leaderEpoch();

        cluster.pause(old);
        LinkProxy zk = cluster.zooKeeperLink(old);
        try {
            until(FAILOVER, () -> {
                TopicPartitionInfo now = describe(tp);
                return now.leader() != null && now.leader().id() != old && !now.leader().isEmpty();
            }, "another broker leads " + tp + " once broker " + old + " lost its session");
            // It wakes up cut off from ZooKeeper: nothing tells it that it was deposed.
            zk.mode(LinkProxy.Mode.BLACKHOLE);
            cluster.resume(old);
            for (short acks : new short[] {1, -1}) {
                ProduceResponse.PartitionResponse answer = produceDirectly(cluster.broker(old).kafkaPort, tp, acks);
                assertNotEquals("the deposed leader acknowledges nothing with acks=" + acks, Errors.NONE,
                        answer.error);
            }
        } finally {
            zk.mode(LinkProxy.Mode.PASS);
            if (cluster.isPaused(old)) {
                cluster.resume(old);
            }
        }
        cluster.awaitIsr(topic, 3, FAILOVER);
        int newEpoch = cluster.snapshot(topic).stream().mapToInt(HistoryChecker.PartitionSnapshot::leaderEpoch).max()
                .orElseThrow();
        assertTrue("the election bumped the leader epoch: " + oldEpoch + " -> " + newEpoch, newEpoch > oldEpoch);
        List<HistoryChecker.Read> reads = LogDrain.drain(cluster.liveBootstrap(), topic, "drain", FAILOVER);
        assertTrue("the zombie's write is nowhere: " + reads,
                reads.stream().noneMatch(r -> r.value() != null && r.value().startsWith("zombie")));
    }

    @Test
    public void controlledShutdownHandsOverLeadership() throws Exception {
        String topic = "handover";
        int partitions = 3;
        int victim = 1;
        List<Integer> others = cluster.ids().stream().filter(id -> id != victim).toList();
        Map<Integer, List<Integer>> assignment = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            // the victim is every partition's preferred replica, so it leads them all
            assignment.put(p, List.of(victim, others.get(p % 2), others.get((p + 1) % 2)));
        }
        try (Admin admin = KafkaClients.admin(cluster.liveBootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, assignment).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get();
        }
        assertEquals(Map.of(0, victim, 1, victim, 2, victim), cluster.awaitLeaders(topic, FAILOVER));
        cluster.awaitIsr(topic, 3, FAILOVER);

        AckLedger ledger = new AckLedger();
        try (KafkaProducer<String, String> producer = durableProducer(Map.of())) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread stream = new Thread(() -> {
                for (int i = 0; !stop.get() && i < 20_000; i++) {
                    AckLedger.Send s = ledger.next("stream", new TopicPartition(topic, i % partitions));
                    producer.send(new ProducerRecord<>(topic, s.partition.partition(), null, s.value),
                            ledger.callback(s));
                    if (i % 50 == 0) {
                        try {
                            Thread.sleep(5); // paces the stream, it does not wait for anything
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "handover-stream");
            stream.start();
            try {
                until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > 600, "the stream is acknowledged");
                assertEquals("a clean exit on SIGTERM", 0, cluster.stop(victim));
                // Right after the exit: the leaderships had moved before, not because the session went.
                Map<Integer, Integer> leaders = new TreeMap<>();
                for (int p = 0; p < partitions; p++) {
                    TopicPartitionInfo info = describe(new TopicPartition(topic, p));
                    leaders.put(p, info.leader() == null ? -1 : info.leader().id());
                }
                assertTrue("no partition is led by the stopped broker " + victim + ": " + leaders,
                        leaders.values().stream().allMatch(others::contains));
                long ackedAtStop = ledger.count(AckLedger.Outcome.ACKED);
                until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > ackedAtStop + 600,
                        "the stream goes on acknowledging on the new leaders");
            } finally {
                stop.set(true);
                stream.join(TimeUnit.SECONDS.toMillis(30));
            }
            producer.flush();
        }
        List<AckLedger.Send> failed = ledger.sends().stream().filter(s -> s.outcome() == AckLedger.Outcome.FAILED)
                .toList();
        assertTrue("only retriable errors: " + failed.stream().limit(5).map(s -> s + " " + s.error()).toList(),
                failed.stream().allMatch(s -> s.error() instanceof RetriableException));
        assertEquals("with two in-sync replicas left no send fails", 0, failed.size());

        cluster.restart(victim);
        until(FAILOVER, () -> {
            try (Admin admin = cluster.admin()) {
                // every partition of every topic in sync again, so that each preferred replica can lead
                return admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get().values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(info -> Set.copyOf(ids(info.isr())).equals(Set.copyOf(ids(info.replicas()))));
            }
        }, "every replica is back in sync");
        assertEquals("leaderships stay where they moved until asked", 0, cluster.awaitLeaders(topic, FAILOVER)
                .values().stream().filter(l -> l == victim).count());

        Tool election = Tool.run(Duration.ofSeconds(60), null, "kafka-leader-election.sh", "--bootstrap-server",
                cluster.liveBootstrap(), "--election-type", "preferred", "--all-topic-partitions");
        assertEquals(election.stdout + election.stderr, 0, election.exitCode);
        assertTrue(election.stdout, election.stdout.contains("Successfully completed leader election (PREFERRED)"));
        for (int p = 0; p < partitions; p++) {
            assertTrue(election.stdout, election.stdout.contains(topic + "-" + p));
        }
        until(FAILOVER, () -> {
            for (int p = 0; p < partitions; p++) {
                TopicPartitionInfo info = describe(new TopicPartition(topic, p));
                if (info.leader() == null || info.leader().id() != victim) {
                    return false;
                }
            }
            return true;
        }, "the preferred replica " + victim + " leads every partition of " + topic + " again");

        Tool again = Tool.run(Duration.ofSeconds(60), null, "kafka-leader-election.sh", "--bootstrap-server",
                cluster.liveBootstrap(), "--election-type", "preferred", "--all-topic-partitions");
        assertEquals(again.stdout + again.stderr, 0, again.exitCode);
        assertTrue("nothing left to elect: " + again.stdout, !again.stdout.contains("Successfully completed"));
        assertTrue(again.stdout, again.stdout.contains("Valid replica already elected"));

        HistoryChecker.Report report = check(ledger, topic, cluster.snapshot(topic));
        assertTrue(report.toString(), report.clean());
        assertEquals(report.toString(), ledger.count(AckLedger.Outcome.ACKED), report.distinctValuesRead());
    }

    @Test
    public void kafkaReassignPartitionsMovesAReplicaWhileClientsProduce() throws Exception {
        String topic = "moving";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = KafkaClients.admin(cluster.liveBootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(0, 1)))
                    .configs(Map.of("min.insync.replicas", "2")))).all().get();
        }
        until(FAILOVER, () -> describe(tp).isr().size() == 2, tp + " has both replicas in sync");
        AckLedger ledger = new AckLedger();
        Path plan = Files.createTempFile("samsa-reassignment", ".json");
        Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + topic
                + "\",\"partition\":0,\"replicas\":[2,1]}]}");
        try (Stream stream = new Stream(ledger, topic, 1)) {
            until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > 300, "the stream is acknowledged");
            Tool execute = Tool.run(Duration.ofSeconds(60), null, "kafka-reassign-partitions.sh",
                    "--bootstrap-server", cluster.liveBootstrap(), "--reassignment-json-file", plan.toString(),
                    "--execute");
            assertEquals(execute.stdout + execute.stderr, 0, execute.exitCode);
            assertTrue(execute.stdout, execute.stdout.contains("Successfully started partition reassignment"));
            String[] verified = {""};
            until(FAILOVER, () -> {
                Tool verify = Tool.run(Duration.ofSeconds(60), null, "kafka-reassign-partitions.sh",
                        "--bootstrap-server", cluster.liveBootstrap(), "--reassignment-json-file", plan.toString(),
                        "--verify");
                verified[0] = verify.stdout + verify.stderr;
                System.out.println("kafka-reassign-partitions.sh --verify exited " + verify.exitCode + ":\n"
                        + verified[0]);
                return verify.exitCode == 0 && verify.stdout.contains("Reassignment of partition " + tp
                        + " is completed");
            }, "kafka-reassign-partitions.sh --verify reports the move of " + tp + " done (its output is above)");
            TopicPartitionInfo moved = describe(tp);
            assertEquals(List.of(2, 1), ids(moved.replicas()));
            assertEquals(Set.of(1, 2), Set.copyOf(ids(moved.isr())));
            long atMove = ledger.count(AckLedger.Outcome.ACKED);
            until(FAILOVER, () -> ledger.count(AckLedger.Outcome.ACKED) > atMove + 300,
                    "the stream goes on after the move");
            stream.stop();
        }
        // the replica moved off broker 0 is deleted there, and the two left hold the same bytes
        Map<Integer, Map<Integer, Long>>[] last = new Map[1];
        until(FAILOVER, () -> {
            last[0] = replicaSizes(topic);
            Map<Integer, Long> sizes = last[0].get(0);
            return sizes != null && sizes.keySet().equals(Set.of(1, 2))
                    && sizes.values().stream().distinct().count() == 1;
        }, "only brokers 1 and 2 hold " + tp + ", with the same bytes: " + last[0]);
        HistoryChecker.Report report = check(ledger, topic, cluster.snapshot(topic));
        assertTrue(report.toString(), report.clean());
        assertEquals(report.toString(), ledger.count(AckLedger.Outcome.ACKED), report.distinctValuesRead());

        Tool cancelNothing = Tool.run(Duration.ofSeconds(60), null, "kafka-reassign-partitions.sh",
                "--bootstrap-server", cluster.liveBootstrap(), "--reassignment-json-file", plan.toString(),
                "--cancel");
        assertEquals(cancelNothing.stdout + cancelNothing.stderr, 0, cancelNothing.exitCode);
    }

    /** A Produce straight to the broker on {@code port}, whatever the cluster thinks of it. */
    private static ProduceResponse.PartitionResponse produceDirectly(int port, TopicPartition tp, short acks)
            throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, ("zombie-acks" + acks).getBytes()));
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(3000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(tp.topic())
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(tp.partition())
                        .setRecords(records))));
        try (RawKafkaClient client = new RawKafkaClient(port, Duration.ofSeconds(10))) {
            ProduceResponse response = client.send(ProduceRequest.builder(data), (short) 9);
            return response.data().responses().iterator().next().partitionResponses().stream()
                    .map(p -> new ProduceResponse.PartitionResponse(Errors.forCode(p.errorCode())))
                    .findFirst().orElseThrow(() -> new AssertionError("no partition in " + response));
        } catch (java.io.IOException e) {
            // No answer at all (the socket timed out) is not an acknowledgement either.
            return new ProduceResponse.PartitionResponse(Errors.REQUEST_TIMED_OUT);
        }
    }
}
