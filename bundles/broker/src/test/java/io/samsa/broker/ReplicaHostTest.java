package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.produce;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.replication.ReplicaHost;
import io.samsa.testsupport.Poll;

/** The broker as its replication runtime sees it: id, current registration epoch, lease, cluster view. */
public class ReplicaHostTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private BrokerServer broker;
    private ReplicaHost host;

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        broker = fixture.start(3, Map.of());
        host = fixture.replication.lastHost();
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    @Test
    public void theBrokerEpochFollowsARegistrationAfterASessionLoss() throws Exception {
        assertEquals(3, host.brokerId());
        assertSame(broker.clusterView(), host.cluster());
        long first = host.brokerEpoch();
        assertTrue("registered with an epoch: " + first, first >= 0);
        assertEquals(first, fixture.coordinator.liveBrokers().get(0).epoch());

        fixture.coordinator.expireSession();
        Poll.until("the new registration's epoch is the broker's", () -> host.brokerEpoch() > first);
        assertEquals(host.brokerEpoch(), fixture.coordinator.liveBrokers().get(0).epoch());
    }

    @Test
    public void aBrokerThatMayHaveLostItsSessionAcknowledgesNothing() throws Exception {
        BrokerFixture.createTopic(broker, "leased", 1);
        TopicPartition tp = new TopicPartition("leased", 0);
        fixture.apply(broker, tp, 3, 0, 1);
        assertTrue(host.holdsLease());
        assertEquals(Errors.NONE, produce(broker, tp, Records.batch("while held")).error());

        fixture.coordinator.setLeaseMillis(1);
        fixture.coordinator.setReachable(false);
        Poll.until("the lease runs out without the coordinator", () -> !host.holdsLease());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, produce(broker, tp, Records.batch("unsure")).error());
        assertEquals(1, broker.registry().get(tp).logEndOffset());
        // and it names no address for the leadership it may have lost, so clients ask another broker
        assertEquals(List.of(), broker.clusterView().brokers());
        assertEquals(3, broker.clusterView().topic("leased").orElseThrow().partitions().get(0).leader());

        fixture.coordinator.setReachable(true);
        Poll.until("the lease is back with the coordinator", host::holdsLease);
        assertEquals(Errors.NONE, produce(broker, tp, Records.batch("again")).error());
        assertEquals(List.of(3), broker.clusterView().brokers().stream().map(b -> b.brokerId()).toList());
    }
}
