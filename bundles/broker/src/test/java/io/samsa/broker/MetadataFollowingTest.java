package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.produce;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.PartitionView;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.StateUpdate;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.testsupport.InMemoryCoordinator;
import io.samsa.testsupport.Poll;

/**
 * The broker follows what others write to the cluster metadata: a partition state written by
 * another broker or the controller reaches its Metadata view and the local partition, and the
 * controller it names is the one {@code /controller} names.
 */
public class MetadataFollowingTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    /** Another process's session of the same cluster: the other writer. */
    private InMemoryCoordinator other;

    @Before
    public void setUp() {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        other = fixture.coordinator.connectAnother();
    }

    @After
    public void tearDown() {
        other.close();
        fixture.close();
    }

    private static PartitionView view(BrokerServer broker, TopicPartition tp) {
        return broker.clusterView().topic(tp.topic()).orElseThrow().partitions().get(tp.partition());
    }

    @Test
    public void aStateWrittenByAnotherWriterReachesTheCacheAndThePartition() throws Exception {
        BrokerServer broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "t", 2);
        TopicPartition tp = new TopicPartition("t", 1);
        assertEquals(0, view(broker, tp).leader());
        assertEquals(Errors.NONE, produce(broker, tp, Records.batch("a")).error());

        ClusterMetadataStore writer = new CoordinatorMetadataStore(other);
        PartitionState current = writer.partitionState(tp).orElseThrow();
        StateUpdate moved = writer.updatePartitionState(tp, current.partitionEpoch(),
                new PartitionState(0, current.leaderEpoch() + 3, List.of(0), -1, 1, LeaderRecoveryState.RECOVERED),
                Optional.empty());
        assertTrue(moved.applied());
        Poll.until("the new leader epoch reaches the Metadata view", () -> view(broker, tp).leaderEpoch() == 3);
        Poll.until("and the partition", () -> broker.registry().get(tp).leaderEpoch() == 3);
        assertEquals("the other partition is left alone", 0, view(broker, new TopicPartition("t", 0)).leaderEpoch());

        StateUpdate away = writer.updatePartitionState(tp, moved.state().orElseThrow().partitionEpoch(),
                new PartitionState(7, 4, List.of(7), -1, 1, LeaderRecoveryState.RECOVERED), Optional.empty());
        assertTrue(away.applied());
        Poll.until("leadership moved to broker 7 in the view", () -> view(broker, tp).leader() == 7);
        Poll.until("the local replica stops leading", () -> !broker.registry().get(tp).leader());
        assertEquals("a produce to it is refused", Errors.NOT_LEADER_OR_FOLLOWER,
                produce(broker, tp, Records.batch("b")).error());
        assertEquals(List.of(7), view(broker, tp).isr());
    }

    @Test
    public void theControllerIdIsTheOneTheMetadataNames() throws Exception {
        Election elsewhere = other.electController(9, new ElectionListener() {
            @Override
            public void elected(int epoch) {
            }

            @Override
            public void resigned() {
            }
        });
        BrokerServer broker = fixture.start(0, Map.of());
        assertEquals("broker 9 won first", 9, broker.clusterView().controllerId());
        elsewhere.close();
        Poll.until("no controller once it withdrew", () -> broker.clusterView().controllerId() == -1);
        Election here = fixture.coordinator.electController(0, new ElectionListener() {
            @Override
            public void elected(int epoch) {
            }

            @Override
            public void resigned() {
            }
        });
        Poll.until("the broker sees the next one", () -> broker.clusterView().controllerId() == 0);
        assertEquals(OptionalInt.of(0), new CoordinatorMetadataStore(other).controllerId());
        here.close();
    }

    @Test
    public void createdTopicsGetTheirFirstStatesAtPartitionEpochZero() throws Exception {
        BrokerServer broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "fresh", 3);
        ClusterMetadataStore reader = new CoordinatorMetadataStore(other);
        for (int p = 0; p < 3; p++) {
            PartitionState s = reader.partitionState(new TopicPartition("fresh", p)).orElseThrow();
            assertEquals(0, s.partitionEpoch());
            assertEquals(0, s.leader());
            assertEquals(0, s.leaderEpoch());
            assertEquals(List.of(0), s.isr());
        }
        assertEquals(Errors.NONE, broker.topicAdmin().createPartitions("fresh", 4, null, false).error());
        PartitionState added = reader.partitionState(new TopicPartition("fresh", 3)).orElseThrow();
        assertEquals(0, added.partitionEpoch());
        assertEquals(0, added.leader());
        assertEquals(4, reader.topic("fresh").orElseThrow().partitions().size());
    }
}
