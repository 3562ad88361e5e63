package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import org.apache.kafka.common.Uuid;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricVisitor;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.testsupport.InMemoryCoordinator;

/** ISR shrinks and expands counted once written, and the under-replicated and min-ISR gauges. */
public class ReplicationMetricsTest {
    static final long LAG = LeaderStateTest.LAG;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    final ManualClock clock = new ManualClock(7_000_000);
    final TestHost host = new TestHost(1, 1, 2, 3);
    final PartitionAssignment assignment = PartitionAssignment.of(List.of(1, 2, 3));
    final ReplicationMetrics metrics = new ReplicationMetrics();
    InMemoryCoordinator coordinator;
    CoordinatorMetadataStore store;
    BrokerReplication runtime;
    LogReplica replica;

    @Before
    public void setUp() throws IOException {
        coordinator = new InMemoryCoordinator();
        store = new CoordinatorMetadataStore(coordinator);
        assertTrue(store.createTopic(LeaderStateTest.TP.topic(), Uuid.randomUuid(),
                new TreeMap<>(Map.of(0, assignment)), Map.of()));
        assertTrue(store.updatePartitionState(LeaderStateTest.TP, Coordinator.ABSENT,
                new PartitionState(1, 5, List.of(1, 2, 3), -1, 1, LeaderRecoveryState.RECOVERED), Optional.empty())
                .applied());
        replica = new LogReplica(LeaderStateTest.TP, Uuid.randomUuid(), tmp.getRoot().toPath());
        runtime = new BrokerReplication(host, store, ReplicationConfig.DEFAULTS, clock, (e, c, t) -> {
            throw new IOException("no network in this test");
        }, false, metrics);
        metrics.add(runtime);
    }

    @After
    public void tearDown() throws IOException {
        runtime.close();
        replica.close();
        coordinator.close();
    }

    private Map<String, Object> listed() {
        Map<String, Object> all = new HashMap<>();
        metrics.visit(new MetricVisitor() {
            @Override
            public void meter(MetricName name, Meter meter) {
                all.put(name.objectName(), meter.count());
            }

            @Override
            public void gauge(MetricName name, LongSupplier value) {
                all.put(name.objectName(), value.getAsLong());
            }

            @Override
            public void histogram(MetricName name, Histogram histogram) {
            }

            @Override
            public void info(MetricName name, Map<String, Object> attributes) {
            }
        });
        return all;
    }

    private static String rm(String name) {
        return "kafka.server:type=ReplicaManager,name=" + name;
    }

    private LeaderState lead(int minInsync) {
        Optional<LeaderReplica> l = runtime.apply(replica, assignment,
                store.partitionState(LeaderStateTest.TP).orElseThrow(), new ReplicaSettings(minInsync));
        return (LeaderState) l.orElseThrow();
    }

    @Test
    public void aShrinkAndAnExpandAreCountedOnceWrittenAndTheGaugesFollowTheIsr() throws Exception {
        LeaderState l = lead(3);
        Map<String, Object> before = listed();
        assertEquals(0L, before.get(rm("UnderReplicatedPartitions")));
        assertEquals(0L, before.get(rm("UnderMinIsrPartitionCount")));
        assertEquals(1L, before.get(rm("AtMinIsrPartitionCount")));

        replica.appendAsLeader(10, 5);
        l.appended(10);
        clock.advance(LAG + 1);
        l.followerFetched(2, 100, 10, replica.logEndOffset(), clock.getAsLong());
        runtime.runIsrWork(); // 3 never fetched: shrink to {1, 2}
        Map<String, Object> shrunk = listed();
        assertEquals(1L, shrunk.get(rm("IsrShrinksPerSec")));
        assertEquals(0L, shrunk.get(rm("IsrExpandsPerSec")));
        assertEquals(1L, shrunk.get(rm("UnderReplicatedPartitions")));
        assertEquals(1L, shrunk.get(rm("UnderMinIsrPartitionCount")));
        assertEquals(0L, shrunk.get(rm("AtMinIsrPartitionCount")));

        l.followerFetched(3, 100, 10, replica.logEndOffset(), clock.getAsLong()); // caught up: back in
        runtime.runIsrWork();
        Map<String, Object> grown = listed();
        assertEquals(1L, grown.get(rm("IsrExpandsPerSec")));
        assertEquals(0L, grown.get(rm("UnderReplicatedPartitions")));
        assertEquals(0L, grown.get(rm("FailedIsrUpdatesPerSec")));
    }

    @Test
    public void aWriteThatFailsIsAFailedIsrUpdateNotAShrink() throws Exception {
        LeaderState l = lead(1);
        replica.appendAsLeader(10, 5);
        l.appended(10);
        coordinator.setReachable(false);
        clock.advance(LAG + 1);
        l.followerFetched(2, 100, 10, replica.logEndOffset(), clock.getAsLong());
        runtime.runIsrWork();
        Map<String, Object> m = listed();
        assertEquals(1L, m.get(rm("FailedIsrUpdatesPerSec")));
        assertEquals(0L, m.get(rm("IsrShrinksPerSec")));
        assertEquals("the committed ISR is still whole", 0L, m.get(rm("UnderReplicatedPartitions")));
    }

    @Test
    public void aStoppedRuntimeLeadsNothing() throws Exception {
        lead(3);
        runtime.close();
        assertEquals(0L, listed().get(rm("AtMinIsrPartitionCount")));
    }
}
