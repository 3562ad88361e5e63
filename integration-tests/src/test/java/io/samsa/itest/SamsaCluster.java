package io.samsa.itest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.requests.MetadataResponse;

import io.samsa.testsupport.Poll;

/**
 * N Samsa brokers, each a JVM of its own ({@link SamsaProcess}), on one {@link ZooKeeperProcess}:
 * {@code broker.id} 0..N-1, own ports and data dirs, and the faults cluster tests inject by
 * process id — SIGKILL, SIGSTOP/SIGCONT, SIGTERM — plus restart. Each broker reaches ZooKeeper
 * through its own {@link LinkProxy} ({@link #zooKeeperLink(int)}).
 * <p>
 * Timeouts are short and explicit so that faults show within seconds on a loaded 2-core machine
 * ({@link #TEST_SETTINGS}); brokers run with small heaps and the C1 JIT only. Every process this
 * class starts is ended when it is closed, and by a shutdown hook if the test JVM exits first.
 */
final class SamsaCluster implements AutoCloseable {

    /** ZooKeeper session of a broker: how long after SIGKILL or SIGSTOP it stays registered. */
    static final int SESSION_TIMEOUT_MS = 4000;

    /**
     * Broker settings for cluster tests: short sessions and lag so that failures show within
     * seconds, fetch waits short enough that followers catch up between test steps.
     */
    static final Map<String, String> TEST_SETTINGS = Map.of(
            "zookeeper.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS),
            "zookeeper.connection.timeout.ms", "10000",
            "replica.lag.time.max.ms", "3000",
            "replica.fetch.wait.max.ms", "200",
            "replica.fetch.backoff.ms", "100");

    static final List<String> BROKER_JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");

    private final ZooKeeperProcess zookeeper;
    private final List<SamsaProcess> brokers = new ArrayList<>();
    private final List<LinkProxy> zooKeeperLinks = new ArrayList<>();
    private final Set<Integer> paused = Collections.synchronizedSet(new HashSet<>());
    private final Thread reaper = new Thread(this::destroyAll, "samsa-cluster-reaper");

    private SamsaCluster(ZooKeeperProcess zookeeper) {
        this.zookeeper = zookeeper;
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts a ZooKeeper process and {@code size} brokers on it (concurrently) and waits until
     * each is ready and all are registered.
     *
     * @param extra broker settings over {@link #TEST_SETTINGS}, for every broker
     */
    static SamsaCluster start(int size, Map<String, String> extra) throws Exception {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one broker, not " + size);
        }
        Path root = SamsaOsgiTestSupport.tempDir("samsa-cluster");
        SamsaCluster cluster = new SamsaCluster(ZooKeeperProcess.start(root.resolve("zookeeper")));
        try {
            Map<String, String> settings = new LinkedHashMap<>(TEST_SETTINGS);
            settings.putAll(extra);
            for (int id = 0; id < size; id++) {
                LinkProxy zkLink = new LinkProxy(0, cluster.zookeeper.clientPort, LinkProxy.Framing.RAW);
                cluster.zooKeeperLinks.add(zkLink);
                Map<String, String> props = new HashMap<>(settings);
                props.put("broker.id", Integer.toString(id));
                props.put("zookeeper.connect", zkLink.address());
                cluster.brokers.add(new SamsaProcess(root.resolve("broker-" + id), props)
                        .withJvmOptions(BROKER_JVM_OPTIONS));
            }
            ExecutorService starters = Executors.newFixedThreadPool(size);
            try {
                List<Future<SamsaProcess>> started = new ArrayList<>();
                for (int id = 0; id < size; id++) {
                    SamsaProcess broker = cluster.brokers.get(id);
                    int brokerId = id;
                    started.add(starters.submit(() -> broker.start(brokerId)));
                }
                for (Future<SamsaProcess> f : started) {
                    f.get();
                }
            } finally {
                starters.shutdownNow();
            }
            cluster.awaitRegistered(cluster.ids(), Duration.ofSeconds(60));
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    int size() {
        return brokers.size();
    }

    Set<Integer> ids() {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < brokers.size(); i++) {
            ids.add(i);
        }
        return ids;
    }

    SamsaProcess broker(int id) {
        if (id < 0 || id >= brokers.size()) {
            throw new IllegalArgumentException("no broker " + id + " in a cluster of " + brokers.size());
        }
        return brokers.get(id);
    }

    ZooKeeperProcess zookeeper() {
        return zookeeper;
    }

    /**
     * The link from broker {@code id} to ZooKeeper: each broker reaches ZooKeeper through a proxy
     * of its own, so a test can cut one broker off coordination while clients and the other
     * brokers still reach it (Jepsen's 2013 Kafka partition).
     */
    LinkProxy zooKeeperLink(int id) {
        broker(id);
        return zooKeeperLinks.get(id);
    }

    /** Every broker's client address: clients find the live ones themselves. */
    String bootstrap() {
        return brokers.stream().map(SamsaProcess::bootstrap).collect(Collectors.joining(","));
    }

    /** The client addresses of the brokers that run and are not paused. */
    String liveBootstrap() {
        Set<Integer> live = liveIds();
        if (live.isEmpty()) {
            throw new IllegalStateException("no broker of the cluster runs unpaused");
        }
        return live.stream().map(id -> brokers.get(id).bootstrap()).collect(Collectors.joining(","));
    }

    /**
     * An admin client on the live brokers with short request timeouts, so that a request that
     * lands on a broker paused later fails over within seconds instead of the default 30 s.
     */
    Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, liveBootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 6000);
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        return KafkaClients.withKafkaClassLoader(() -> Admin.create(p));
    }

    /** SIGKILL broker {@code id}: no flush, no deregistration; its session lingers until it times out. */
    void kill(int id) throws InterruptedException {
        broker(id).kill();
        paused.remove(id);
    }

    /** SIGSTOP broker {@code id}: a frozen JVM, sockets open, like a long GC pause. */
    void pause(int id) {
        ProcessSignals.pause(broker(id).pid());
        paused.add(id);
    }

    /** SIGCONT broker {@code id}. */
    void resume(int id) {
        ProcessSignals.resume(broker(id).pid());
        paused.remove(id);
    }

    boolean isPaused(int id) {
        return paused.contains(id);
    }

    /** SIGTERM broker {@code id} and wait for its clean exit; returns its exit code. */
    int stop(int id) throws InterruptedException {
        if (paused.contains(id)) {
            resume(id); // a stopped process would hold SIGTERM until resumed anyway
        }
        return broker(id).stop();
    }

    /** Stops broker {@code id} cleanly if it runs, starts it again with the same id, ports and data. */
    void restart(int id) throws Exception {
        SamsaProcess broker = broker(id);
        if (broker.isAlive()) {
            stop(id);
        }
        broker.start(id);
    }

    /**
     * Heals every ZooKeeper link, resumes paused brokers and starts dead ones: what a test method
     * leaves behind for the next.
     */
    void ensureAllRunning() throws Exception {
        zooKeeperLinks.forEach(link -> link.mode(LinkProxy.Mode.PASS));
        for (int id = 0; id < brokers.size(); id++) {
            if (paused.contains(id)) {
                resume(id);
            }
            if (!brokers.get(id).isAlive()) {
                brokers.get(id).start(id);
            }
        }
        awaitRegistered(ids(), Duration.ofSeconds(60));
    }

    /** The broker ids the cluster reports (AdminClient describeCluster); empty when no live broker answers. */
    Optional<Set<Integer>> registered() {
        try (Admin admin = admin()) {
            return registered(admin);
        }
    }

    private static Optional<Set<Integer>> registered(Admin admin) {
        try {
            Set<Integer> ids = new HashSet<>();
            for (Node n : admin.describeCluster().nodes().get()) {
                ids.add(n.id());
            }
            return Optional.of(ids);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** What broker {@code id} itself reports as registered (a Metadata request to it); empty if it does not answer. */
    Optional<Set<Integer>> brokersSeenBy(int id) {
        try {
            return Optional.of(RawKafkaClient.brokersSeenBy(broker(id).kafkaPort, Duration.ofSeconds(2)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The state of every partition of {@code topic} as each running, unpaused broker reports it
     * now (Metadata, with leader epochs), for {@link HistoryChecker#checkSnapshots}. A broker
     * that does not answer is left out.
     */
    List<HistoryChecker.PartitionSnapshot> snapshot(String topic) {
        List<HistoryChecker.PartitionSnapshot> snapshots = new ArrayList<>();
        for (int id : liveIds()) {
            MetadataResponse r;
            try {
                r = RawKafkaClient.metadata(broker(id).kafkaPort, List.of(topic), Duration.ofSeconds(2));
            } catch (IOException | RuntimeException e) {
                continue;
            }
            for (MetadataResponse.TopicMetadata t : r.topicMetadata()) {
                for (MetadataResponse.PartitionMetadata p : t.partitionMetadata()) {
                    snapshots.add(new HistoryChecker.PartitionSnapshot(p.topicPartition, id, p.leaderId.orElse(-1),
                            p.leaderEpoch.orElse(-1), p.replicaIds, p.inSyncReplicaIds));
                }
            }
        }
        return snapshots;
    }

    /** The brokers that run and are not paused. */
    Set<Integer> liveIds() {
        Set<Integer> live = new HashSet<>();
        for (int id = 0; id < brokers.size(); id++) {
            if (brokers.get(id).isAlive() && !paused.contains(id)) {
                live.add(id);
            }
        }
        return live;
    }

    /**
     * Waits until every running, unpaused broker reports exactly {@code ids} as registered;
     * returns how long that took.
     */
    Duration awaitRegistered(Set<Integer> ids, Duration timeout) {
        return awaitRegistered(ids, liveIds(), timeout);
    }

    /**
     * Waits until each broker of {@code askedBrokers} reports exactly {@code ids}: each is asked
     * itself, since a broker cut off ZooKeeper answers from a stale view and an admin client may
     * ask any broker. Returns how long that took.
     */
    Duration awaitRegistered(Set<Integer> ids, Set<Integer> askedBrokers, Duration timeout) {
        long start = System.nanoTime();
        Map<Integer, Optional<Set<Integer>>> views = new java.util.concurrent.ConcurrentHashMap<>();
        long[] lastAsked = {0};
        try {
            Poll.until(timeout, () -> {
                // ask every 100 ms: the poll spins faster than brokers need to be bothered
                if (System.nanoTime() - lastAsked[0] < 100_000_000L) {
                    return false;
                }
                lastAsked[0] = System.nanoTime();
                boolean all = true;
                for (int id : askedBrokers) {
                    Optional<Set<Integer>> view = brokersSeenBy(id);
                    views.put(id, view);
                    all &= view.map(ids::equals).orElse(false);
                }
                return all;
            }, "brokers " + askedBrokers + " each report brokers " + ids + " registered");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answers " + views + "\n" + outputs(), e);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Leader of each partition of {@code topic}; -1 where there is none. */
    Map<Integer, Integer> leaders(String topic) throws Exception {
        try (Admin admin = admin()) {
            return leaders(admin, topic);
        }
    }

    private static Map<Integer, Integer> leaders(Admin admin, String topic) throws Exception {
        Map<Integer, Integer> leaders = new HashMap<>();
        for (TopicPartitionInfo p : describe(admin, topic).partitions()) {
            leaders.put(p.partition(), p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id());
        }
        return leaders;
    }

    /** The leader of {@code tp}, or -1. */
    int leaderOf(TopicPartition tp) throws Exception {
        return leaders(tp.topic()).getOrDefault(tp.partition(), -1);
    }

    /** Waits until every partition of {@code topic} has a leader; returns the leaders. */
    Map<Integer, Integer> awaitLeaders(String topic, Duration timeout) {
        AtomicReference<Map<Integer, Integer>> last = new AtomicReference<>(Map.of());
        pollWithAdmin(timeout, "every partition of " + topic + " has a leader", admin -> {
            last.set(leaders(admin, topic));
            return !last.get().isEmpty() && !last.get().containsValue(-1);
        });
        return last.get();
    }

    /** Waits until every partition of {@code topic} has {@code size} in-sync replicas. */
    void awaitIsr(String topic, int size, Duration timeout) {
        pollWithAdmin(timeout, "every partition of " + topic + " has " + size + " in-sync replicas",
                admin -> describe(admin, topic).partitions().stream().allMatch(p -> p.isr().size() == size));
    }

    private interface AdminCondition {
        boolean holds(Admin admin) throws Exception;
    }

    /** Polls {@code condition} with one admin client; a failed call counts as "not yet". */
    private void pollWithAdmin(Duration timeout, String what, AdminCondition condition) {
        try (Admin admin = admin()) {
            Poll.until(timeout, () -> {
                try {
                    return condition.holds(admin);
                } catch (Exception e) {
                    return false;
                }
            }, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + outputs(), e);
        }
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    /**
     * Copies every broker's log ({@code <data>/logs/samsa.log}) to
     * {@code integration-tests/target/cluster-logs/<name>/broker-<id>.log}, which outlives the
     * cluster's temporary directory; returns where they went.
     */
    Path saveLogs(String name) {
        Path target = SamsaProcess.ROOT.resolve("integration-tests/target/cluster-logs").resolve(name);
        try {
            Files.createDirectories(target);
            for (int id = 0; id < brokers.size(); id++) {
                Path log = brokers.get(id).dataDir.resolve("logs/samsa.log");
                if (Files.exists(log)) {
                    Files.copy(log, target.resolve("broker-" + id + ".log"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            return target.resolve("(not saved: " + e.getMessage() + ")");
        }
        return target;
    }

    /** The last lines each broker printed, for failure messages. */
    String outputs() {
        StringBuilder sb = new StringBuilder();
        for (int id = 0; id < brokers.size(); id++) {
            List<String> lines = brokers.get(id).outputLines();
            sb.append("--- broker ").append(id).append(" ---\n");
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> sb.append(l).append('\n'));
        }
        return sb.toString();
    }

    /** Ends every process with SIGKILL: what the reaper does when the test JVM exits early. */
    private void destroyAll() {
        for (int id = 0; id < brokers.size(); id++) {
            if (brokers.get(id).isAlive()) {
                try {
                    brokers.get(id).kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (LinkProxy link : zooKeeperLinks) {
            try {
                link.close();
            } catch (IOException e) {
                // closing a listening socket: nothing left to do
            }
        }
        zookeeper.close();
    }

    /** Stops every broker (SIGTERM, all at once, resuming paused ones first), then ZooKeeper. */
    @Override
    public void close() {
        try {
            for (int id = 0; id < brokers.size(); id++) {
                if (paused.contains(id) && brokers.get(id).isAlive()) {
                    resume(id);
                }
            }
            List<Thread> stoppers = new ArrayList<>();
            for (SamsaProcess b : brokers) {
                Thread t = new Thread(() -> {
                    try {
                        b.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "samsa-cluster-stop");
                t.start();
                stoppers.add(t);
            }
            for (Thread t : stoppers) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            destroyAll();
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down and runs the reaper itself
            }
        }
    }
}
