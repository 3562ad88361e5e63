package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.ReplicationRuntime;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.testsupport.InMemoryCoordinator;
import io.samsa.testsupport.Poll;

/** The runtime's role changes as the broker applies partition states, and its threads. */
public class BrokerReplicationTest {
    static final TopicPartition TP = new TopicPartition("orders", 0);
    static final PartitionAssignment ASSIGNMENT = PartitionAssignment.of(List.of(1, 2, 3));
    static final ReplicaSettings SETTINGS = new ReplicaSettings(1);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    final ManualClock clock = new ManualClock(3_000_000);
    final TestHost host = new TestHost(1, 1, 2, 3);
    InMemoryCoordinator coordinator;
    CoordinatorMetadataStore store;
    BrokerReplication runtime;
    final List<LogReplica> replicas = new ArrayList<>();

    @Before
    public void setUp() {
        coordinator = new InMemoryCoordinator();
        store = new CoordinatorMetadataStore(coordinator);
        runtime = new BrokerReplication(host, store, ReplicationConfig.DEFAULTS, clock, (e, c, t) -> {
            throw new IOException("no network in this test");
        }, false);
    }

    @After
    public void tearDown() throws IOException {
        runtime.close();
        for (LogReplica r : replicas) {
            r.close();
        }
        coordinator.close();
    }

    LogReplica replica(TopicPartition tp) throws IOException {
        LogReplica r = new LogReplica(tp, Uuid.randomUuid(), tmp.newFolder().toPath());
        replicas.add(r);
        return r;
    }

    static PartitionState state(int leader, int epoch, List<Integer> isr) {
        return new PartitionState(leader, epoch, isr, 0, 1, LeaderRecoveryState.RECOVERED);
    }

    @Test
    public void becomingLeaderStartsTheEpochAtTheLogEndBeforeServingAndKeepsTheHighWatermark() throws Exception {
        LogReplica r = replica(TP);
        r.appendAsFollower(LogReplica.leaderBatch(0, 8, 3));
        r.updateHighWatermark(5);
        LeaderReplica l = runtime.apply(r, ASSIGNMENT, state(1, 4, List.of(1, 2, 3)), SETTINGS).orElseThrow();
        assertEquals(4, l.leaderEpoch());
        assertEquals(OptionalInt.of(4), r.latestEpoch());
        assertEquals(new EpochEndOffset(4, 8), r.endOffsetForEpoch(4));
        assertEquals(5, ((LeaderState) l).highWatermark());
        assertEquals("the same leadership on the same state", l,
                runtime.apply(r, ASSIGNMENT, state(1, 4, List.of(1, 2, 3)), SETTINGS).orElseThrow());
        assertEquals("an older epoch is ignored", l,
                runtime.apply(r, ASSIGNMENT, state(1, 3, List.of(1, 2, 3)), SETTINGS).orElseThrow());

        LeaderReplica next = runtime.apply(r, ASSIGNMENT, state(1, 6, List.of(1, 2, 3)), SETTINGS).orElseThrow();
        assertFalse("re-elected in a newer epoch: a new leadership", l.active());
        assertEquals(6, next.leaderEpoch());
        assertEquals(OptionalInt.of(6), r.latestEpoch());
    }

    @Test
    public void becomingFollowerAnswersWaitingProducesAndFetchesFromTheNewLeaderWithoutTruncating() throws Exception {
        LogReplica r = replica(TP);
        LeaderReplica l = runtime.apply(r, ASSIGNMENT, state(1, 4, List.of(1, 2, 3)), SETTINGS).orElseThrow();
        r.appendAsLeader(10, 4);
        l.appended(10);
        CompletableFuture<Errors> produce = l.awaitCommit(10, 30_000).toCompletableFuture();
        assertEquals(1, runtime.timer().size());

        assertTrue(runtime.apply(r, ASSIGNMENT, state(2, 5, List.of(2, 3)), SETTINGS).isEmpty());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, produce.getNow(null));
        assertEquals(0, runtime.timer().size());
        assertFalse(l.active());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, l.checkAppend((short) 1));
        assertTrue(runtime.leader(TP).isEmpty());
        ReplicaFetcher f = runtime.fetchers().fetcherOf(TP);
        assertNotNull(f);
        assertEquals(2, f.sourceBroker());
        assertEquals(5, f.partition(TP).leaderEpoch);
        assertEquals("no eager truncation: the leader tells us where we diverged", 10, r.logEndOffset());

        runtime.apply(r, ASSIGNMENT, state(3, 6, List.of(3)), SETTINGS);
        assertEquals(3, runtime.fetchers().fetcherOf(TP).sourceBroker());

        assertTrue("no leader: nothing to fetch from",
                runtime.apply(r, ASSIGNMENT, state(-1, 7, List.of(3)), SETTINGS).isEmpty());
        assertEquals(null, runtime.fetchers().fetcherOf(TP));

        LeaderReplica again = runtime.apply(r, ASSIGNMENT, state(1, 8, List.of(1)), SETTINGS).orElseThrow();
        assertTrue(again.active());
        runtime.remove(TP);
        assertFalse(again.active());
        assertTrue(runtime.leader(TP).isEmpty());
    }

    @Test
    public void aReplicaNotAssignedHereNeitherLeadsNorFollows() throws Exception {
        LogReplica r = replica(TP);
        PartitionAssignment elsewhere = PartitionAssignment.of(List.of(2, 3));
        assertTrue(runtime.apply(r, elsewhere, state(1, 1, List.of(1)), SETTINGS).isEmpty());
        assertTrue(runtime.apply(r, elsewhere, state(2, 1, List.of(2)), SETTINGS).isEmpty());
        assertEquals(null, runtime.fetchers().fetcherOf(TP));
    }

    @Test
    public void aLogThatCannotStartTheEpochIsNotLed() throws Exception {
        LogReplica r = replica(TP);
        r.diskBroken = true;
        assertTrue(runtime.apply(r, ASSIGNMENT, state(1, 1, List.of(1, 2, 3)), SETTINGS).isEmpty());
        assertTrue(runtime.leader(TP).isEmpty());
    }

    @Test
    public void theRuntimesThreadsDoNotGrowWithPartitions() throws Exception {
        ReplicationConfig two = new ReplicationConfig(30_000, 500, 1, 1 << 20, 10 << 20, 100, 30_000, 2,
                Optional.empty());
        ReplicationRuntime threaded = new BrokerReplication(host, store, two, System::currentTimeMillis,
                (e, c, t) -> {
                    throw new IOException("no network in this test");
                }, true);
        try {
            for (int p = 0; p < 40; p++) {
                TopicPartition tp = new TopicPartition("many", p);
                threaded.apply(replica(tp), ASSIGNMENT, state(2 + (p / 2) % 2, 1, List.of(2, 3)), SETTINGS);
            }
            Set<String> names = replicationThreads();
            assertTrue(names.toString(), names.contains("samsa-isr-1"));
            assertTrue(names.toString(), names.contains("samsa-replication-timer-1"));
            Set<String> fetchers = new TreeSet<>(names);
            fetchers.removeIf(n -> !n.startsWith("samsa-replica-fetcher-"));
            assertEquals("two per source broker", Set.of("samsa-replica-fetcher-1-2-0", "samsa-replica-fetcher-1-2-1",
                    "samsa-replica-fetcher-1-3-0", "samsa-replica-fetcher-1-3-1"), fetchers);
        } finally {
            threaded.close();
        }
        Poll.until("the runtime's threads ended", () -> replicationThreads().isEmpty());
    }

    private static Set<String> replicationThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && (t.getName().startsWith("samsa-replica-fetcher-") || t.getName().equals("samsa-isr-1")
                    || t.getName().equals("samsa-replication-timer-1"))) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    public void theEngineStartsRuntimesAndStopsThemWhenDeactivated() throws Exception {
        assertTrue(store.createTopic(TP.topic(), Uuid.randomUuid(), new TreeMap<>(Map.of(0, ASSIGNMENT)), Map.of()));
        assertTrue(store.updatePartitionState(TP, Coordinator.ABSENT, state(1, 0, List.of(1)), Optional.empty())
                .applied());
        ReplicationEngineComponent engine = new ReplicationEngineComponent(store);
        ReplicationRuntime started = engine.start(host);
        LogReplica r = replica(TP);
        LeaderReplica l = started.apply(r, PartitionAssignment.of(List.of(1)), store.partitionState(TP).orElseThrow(),
                SETTINGS).orElseThrow();
        r.appendAsLeader(3, 0);
        l.appended(3);
        assertEquals(Errors.NONE, l.awaitCommit(3, 1000).toCompletableFuture().get());
        engine.deactivate();
        assertFalse(l.active());
        assertThrows(IllegalStateException.class, () -> engine.start(host));
    }

    @Test
    public void badSettingsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReplicationConfig(30_000, 500, 1, 1 << 20, 10 << 20, 1000, 30_000, 0, Optional.empty()));
        assertTrue(e.getMessage(), e.getMessage().contains("num.replica.fetchers"));
        e = assertThrows(IllegalArgumentException.class,
                () -> new ReplicationConfig(30_000, 5000, 1, 1 << 20, 10 << 20, 1000, 3000, 1, Optional.empty()));
        assertTrue(e.getMessage(), e.getMessage().contains("replica.socket.timeout.ms"));
        assertEquals(Optional.empty(),
                new ReplicationConfig(1, 0, 0, 1, 1, 0, 1, 1, Optional.of("  ")).interBrokerListenerName());
    }
}
