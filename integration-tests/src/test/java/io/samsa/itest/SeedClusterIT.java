package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.After;
import org.junit.Test;

import io.samsa.testsupport.Poll;

/**
 * The seed guide's section 4 on one machine, by its own commands: a three-node ZooKeeper ensemble
 * started with {@code bin/zookeeper-server-start.sh -daemon}, brokers 53, 54 and 55 started with
 * {@code bin/kafka-server-start.sh -daemon}, each checked by its {@code [KafkaServer id=N] started}
 * line, then a replicated topic made with {@code kafka-topics.sh}. The cluster keeps serving
 * {@code acks=all} writes when the ZooKeeper leader is killed, and when a broker is killed on top.
 */
public class SeedClusterIT {

    private static final int[] BROKER_IDS = {53, 54, 55};
    private static final Duration START = Duration.ofSeconds(90);

    private final List<Path> logDirs = new ArrayList<>();
    private final int[] zkPorts = new int[3];
    private final int[] brokerPorts = new int[3];

    @After
    public void stopEverything() throws IOException {
        // Only what this test started, by the PIDs the scripts recorded.
        for (Path logDir : logDirs) {
            for (String name : List.of("kafka-server.pid", "zookeeper.pid")) {
                Optional<Long> pid = pid(logDir.resolve(name));
                pid.flatMap(ProcessHandle::of).ifPresent(p -> {
                    p.destroyForcibly();
                    p.onExit().join();
                });
            }
        }
    }

    private static Optional<Long> pid(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(Files.readString(pidFile).trim()));
    }

    private static void run(Map<String, String> env, String script, String... args) throws Exception {
        Tool t = Tool.runWith(Duration.ofSeconds(60), env, null, script, args);
        assertEquals(script + " " + String.join(" ", args) + "\nstdout:\n" + t.stdout + "\nstderr:\n" + t.stderr, 0,
                t.exitCode);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private String bootstrap() {
        List<String> addresses = new ArrayList<>();
        for (int port : brokerPorts) {
            addresses.add("127.0.0.1:" + port);
        }
        return String.join(",", addresses);
    }

    @Test
    public void threeBrokersOnAThreeNodeEnsembleByTheGuidesCommands() throws Exception {
        Path root = SamsaOsgiTestSupport.tempDir("samsa-seed-cluster");
        StringBuilder quorum = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            zkPorts[i] = SamsaOsgiTestSupport.freePort();
            quorum.append("server.").append(i + 1).append("=127.0.0.1:").append(SamsaOsgiTestSupport.freePort())
                    .append(':').append(SamsaOsgiTestSupport.freePort()).append('\n');
        }
        List<Path> zkLogs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path dir = root.resolve("zk-" + (i + 1));
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("data/myid"), (i + 1) + "\n");
            Files.writeString(dir.resolve("zookeeper.properties"), "dataDir=" + dir.resolve("data") + "\n"
                    + "clientPort=" + zkPorts[i] + "\nclientPortAddress=127.0.0.1\n"
                    + "tickTime=500\ninitLimit=10\nsyncLimit=5\nadmin.enableServer=false\n"
                    + "4lw.commands.whitelist=srvr\n" + quorum);
            Path logs = dir.resolve("logs");
            logDirs.add(logs);
            zkLogs.add(logs);
            run(Map.of("LOG_DIR", logs.toString(), "KAFKA_HEAP_OPTS", "-Xmx64m"), "zookeeper-server-start.sh",
                    "-daemon", dir.resolve("zookeeper.properties").toString());
        }
        for (int i = 0; i < 3; i++) {
            int port = zkPorts[i];
            Path log = zkLogs.get(i).resolve("zookeeper.out");
            try {
                Poll.until(START, () -> ZooKeeperProcess.mode(port).isPresent(),
                        "ZooKeeper node " + (i + 1) + " serves in the ensemble");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + read(log), e);
            }
        }

        String zookeeperConnect = String.join(",", java.util.Arrays.stream(zkPorts).mapToObj(p -> "127.0.0.1:" + p)
                .toList());
        List<Path> brokerLogs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            brokerPorts[i] = SamsaOsgiTestSupport.freePort();
        }
        for (int i = 0; i < 3; i++) {
            Path dir = root.resolve("broker-" + BROKER_IDS[i]);
            Map<String, String> props = new LinkedHashMap<>(SamsaCluster.TEST_SETTINGS);
            props.put("broker.id", Integer.toString(BROKER_IDS[i]));
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts[i]);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts[i]);
            props.put("zookeeper.connect", zookeeperConnect);
            props.put("log.dirs", dir.resolve("kafka-logs").toString());
            props.put("samsa.data.dir", dir.resolve("data").toString());
            props.put("http.port", Integer.toString(SamsaOsgiTestSupport.freePort()));
            StringBuilder text = new StringBuilder();
            props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("server.properties"), text);
            Path logs = dir.resolve("logs");
            logDirs.add(logs);
            brokerLogs.add(logs);
            run(Map.of("LOG_DIR", logs.toString(), "KAFKA_HEAP_OPTS", "-Xmx256m",
                    "KAFKA_OPTS", String.join(" ", SamsaCluster.BROKER_JVM_OPTIONS)), "kafka-server-start.sh",
                    "-daemon", dir.resolve("server.properties").toString());
        }
        for (int i = 0; i < 3; i++) {
            String started = "[KafkaServer id=" + BROKER_IDS[i] + "] started";
            Path out = brokerLogs.get(i).resolve("kafkaServer.out");
            try {
                Poll.until(START, () -> read(out).contains(started), "kafkaServer.out says " + started);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + read(out), e);
            }
        }

        Tool create = Tool.run(Duration.ofSeconds(60), null, "kafka-topics.sh", "--bootstrap-server", bootstrap(),
                "--create", "--topic", "seed", "--partitions", "3", "--replication-factor", "3",
                "--config", "min.insync.replicas=2");
        assertEquals(create.stderr, 0, create.exitCode);
        try (Admin admin = KafkaClients.admin(bootstrap())) {
            Poll.until(START, () -> isr(admin, "seed").stream().allMatch(p -> p.isr().size() == 3),
                    "every partition of seed has three in-sync replicas");
        }
        Tool describe = Tool.run(Duration.ofSeconds(60), null, "kafka-topics.sh", "--bootstrap-server", bootstrap(),
                "--describe", "--topic", "seed");
        assertEquals(describe.stderr, 0, describe.exitCode);
        assertTrue(describe.stdout, describe.stdout.contains("ReplicationFactor: 3"));
        for (int id : BROKER_IDS) {
            assertTrue("broker " + id + " holds replicas: " + describe.stdout, describe.stdout.contains(
                    String.valueOf(id)));
        }

        AckLedger ledger = new AckLedger();
        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(), Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000))) {
            send(producer, ledger, "before", 300);

            // The ZooKeeper leader dies: the other two elect a new one and the cluster goes on.
            int leaderNode = -1;
            for (int i = 0; i < 3; i++) {
                if (ZooKeeperProcess.mode(zkPorts[i]).orElse("").equals("leader")) {
                    leaderNode = i;
                }
            }
            assertTrue("one ZooKeeper node leads", leaderNode >= 0);
            kill(zkLogs.get(leaderNode).resolve("zookeeper.pid"));
            send(producer, ledger, "zk-leader-lost", 300);

            // And a broker on top: its partitions fail over to the two left.
            kill(brokerLogs.get(0).resolve("kafka-server.pid"));
            send(producer, ledger, "broker-lost", 300);
        }
        assertEquals(ledger.sends().stream().filter(s -> s.outcome() != AckLedger.Outcome.ACKED).limit(5)
                .map(s -> s + " " + s.error()).toList().toString(), 900, ledger.count(AckLedger.Outcome.ACKED));
        List<HistoryChecker.Read> reads = LogDrain.drain(bootstrap(), "seed", "drain", Duration.ofSeconds(60));
        HistoryChecker.Report report = HistoryChecker.check(ledger.sends(), reads);
        assertTrue(report.toString(), report.clean());
        assertEquals(report.toString(), 900, report.distinctValuesRead());

        // The operator's way down: kafka-server-stop.sh shuts a broker down cleanly and waits for it.
        long pid = pid(brokerLogs.get(1).resolve("kafka-server.pid")).orElseThrow();
        run(Map.of("LOG_DIR", brokerLogs.get(1).toString()), "kafka-server-stop.sh");
        assertTrue("broker " + BROKER_IDS[1] + " exited", ProcessHandle.of(pid).isEmpty());
        String log = read(root.resolve("broker-" + BROKER_IDS[1]).resolve("data/logs/samsa.log"));
        assertTrue(log, log.contains("[KafkaServer id=" + BROKER_IDS[1] + "] shut down"));
    }

    private static List<TopicPartitionInfo> isr(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        } catch (Exception e) {
            return List.of(new TopicPartitionInfo(0, null, List.of(), List.of()));
        }
    }

    private static void send(KafkaProducer<String, String> producer, AckLedger ledger, String name, int count) {
        for (int i = 0; i < count; i++) {
            AckLedger.Send s = ledger.next(name, new TopicPartition("seed", i % 3));
            producer.send(new ProducerRecord<>("seed", s.partition.partition(), null, s.value), ledger.callback(s));
        }
        producer.flush();
    }

    private static void kill(Path pidFile) throws IOException {
        long pid = pid(pidFile).orElseThrow(() -> new AssertionError("no PID in " + pidFile));
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("PID " + pid + " is not running"));
        p.destroyForcibly();
        p.onExit().join();
    }
}
