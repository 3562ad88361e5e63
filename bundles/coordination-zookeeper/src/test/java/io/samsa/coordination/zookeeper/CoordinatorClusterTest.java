package io.samsa.coordination.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.Uuid;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.StaticHostProvider;
import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;

/** Broker registration, controller election, cluster id and session expiry across coordinators. */
public class CoordinatorClusterTest extends EmbeddedServerTestBase {

    private static BrokerRegistration broker(int id, String rack) {
        return new BrokerRegistration(id, "host-" + id, 9090 + id, Optional.ofNullable(rack), 0);
    }

    /** Records elected epochs as positive numbers and resignations as "resigned". */
    private static final class Recorder implements ElectionListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void elected(int epoch) {
            events.add("elected " + epoch);
        }

        @Override
        public void resigned() {
            events.add("resigned");
        }

        int lastEpoch() {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i).startsWith("elected ")) {
                    return Integer.parseInt(events.get(i).substring(8));
                }
            }
            return -1;
        }
    }

    @Test
    public void registeredBrokerIsLiveUntilItsSessionCloses() {
        ZooKeeperCoordinator first = coordinator();
        Coordinator observer = coordinator();
        BrokerSession session1 = first.registerBroker(broker(1, "rack-a"));
        BrokerSession session2 = first.registerBroker(broker(2, null));
        assertTrue(session1.epoch() > 0);
        assertTrue("later registrations get larger epochs", session2.epoch() > session1.epoch());

        List<BrokerRegistration> live = observer.liveBrokers();
        assertEquals(List.of(new BrokerRegistration(1, "host-1", 9091, Optional.of("rack-a"), session1.epoch()),
                new BrokerRegistration(2, "host-2", 9092, Optional.empty(), session2.epoch())), live);
        String json = new String(observer.read("/brokers/ids/1").orElseThrow().value(), UTF_8);
        assertTrue(json, json.startsWith("{\"version\":5,\"host\":\"host-1\",\"port\":9091,"));
        assertTrue(json, json.contains("\"rack\":\"rack-a\""));

        session2.close();
        assertEquals(List.of(1), observer.liveBrokers().stream().map(BrokerRegistration::brokerId).toList());

        first.close(); // ends the ZooKeeper session: the ephemeral registration goes with it
        await("broker 1 disappears", () -> observer.liveBrokers().isEmpty());
    }

    @Test
    public void brokerIdHeldByAnotherLiveSessionIsRejected() {
        ZooKeeperCoordinator first = coordinator();
        Coordinator second = coordinator();
        BrokerSession held = first.registerBroker(broker(7, null));

        CoordinationException e = assertThrows(CoordinationException.class, () -> second.registerBroker(broker(7, null)));
        assertTrue(e.getMessage(), e.getMessage().contains("Broker id 7"));
        assertThrows(CoordinationException.class, () -> first.registerBroker(broker(7, null)));
        assertEquals("host-7", second.liveBrokers().get(0).host());

        first.close();
        BrokerSession taken = second.registerBroker(broker(7, "r"));
        assertTrue(taken.epoch() > held.epoch());
        assertEquals(Optional.of("r"), second.liveBrokers().get(0).rack());
    }

    @Test
    public void exactlyOneControllerAndTheOtherTakesOverWithALargerEpoch() {
        ZooKeeperCoordinator first = coordinator();
        ZooKeeperCoordinator second = coordinator();
        Recorder one = new Recorder();
        Recorder two = new Recorder();
        Election e1 = first.electController(1, one);
        Election e2 = second.electController(2, two);

        await("broker 1 elected", () -> one.events.size() == 1);
        int firstEpoch = one.lastEpoch();
        assertTrue(firstEpoch > 0);
        assertEquals(OptionalInt.of(1), e1.controllerId());
        assertEquals(OptionalInt.of(1), e2.controllerId());
        assertEquals(List.of(), two.events);
        String json = new String(second.read("/controller").orElseThrow().value(), UTF_8);
        assertTrue(json, json.startsWith("{\"version\":1,\"brokerid\":1,\"timestamp\":\""));
        assertEquals(Integer.toString(firstEpoch),
                new String(second.read("/controller_epoch").orElseThrow().value(), UTF_8));

        first.close();
        await("broker 2 takes over", () -> two.events.size() == 1);
        assertEquals(List.of("elected " + firstEpoch, "resigned"), one.events);
        assertTrue(two.lastEpoch() > firstEpoch);
        assertEquals(OptionalInt.of(2), e2.controllerId());

        e2.close();
        await("broker 2 resigns", () -> two.events.size() == 2);
        assertEquals("resigned", two.events.get(1));
        assertFalse(second.read("/controller").isPresent());
        assertEquals(OptionalInt.empty(), e2.controllerId());
    }

    @Test
    public void deletedControllerNodeTriggersANewElection() {
        Coordinator c = coordinator();
        Recorder me = new Recorder();
        c.electController(3, me);
        await("elected", () -> me.events.size() == 1);
        int epoch = me.lastEpoch();

        assertTrue(c.delete("/controller", Coordinator.ANY_VERSION)); // an operator forcing re-election
        await("resigned and re-elected", () -> me.events.size() == 3);
        assertEquals("resigned", me.events.get(1));
        assertTrue(me.lastEpoch() > epoch);
    }

    @Test
    public void clusterIdIsCreatedOnceAndStableAcrossReconnects() {
        ZooKeeperCoordinator first = coordinator();
        String id = first.clusterId();
        assertEquals(id, Uuid.fromString(id).toString());
        first.close();

        Coordinator again = coordinator();
        assertEquals(id, again.clusterId());
        String json = new String(again.read("/cluster/id").orElseThrow().value(), UTF_8);
        assertEquals("{\"version\":\"1\",\"id\":\"" + id + "\"}", json);

        Coordinator otherCluster = coordinator(server.connectString() + chroot + "-other");
        assertNotEquals(id, otherCluster.clusterId());
    }

    @Test
    public void sessionExpiryRestoresRegistrationElectionAndWatches() throws Exception {
        ZooKeeperCoordinator c = coordinator();
        Coordinator observer = coordinator();
        Recorder listener = new Recorder();
        AtomicInteger watchCalls = new AtomicInteger();
        String clusterId = c.clusterId();
        BrokerSession registration = c.registerBroker(broker(5, null));
        long firstEpoch = registration.epoch();
        c.electController(5, listener);
        c.watch("/watched", watchCalls::incrementAndGet);
        await("elected", () -> listener.events.size() == 1);
        int firstControllerEpoch = listener.lastEpoch();

        expire(c);

        await("resigned and re-elected", () -> listener.events.size() == 3);
        assertEquals("resigned", listener.events.get(1));
        assertTrue(listener.lastEpoch() > firstControllerEpoch);
        await("broker 5 registered again", () -> registration.epoch() > firstEpoch);
        assertEquals(List.of(5), observer.liveBrokers().stream().map(BrokerRegistration::brokerId).toList());
        assertEquals(registration.epoch(), observer.liveBrokers().get(0).epoch());

        int before = watchCalls.get();
        observer.compareAndSet("/watched", new byte[0], Coordinator.ABSENT);
        await("the watch still fires", () -> watchCalls.get() > before);
        assertEquals(clusterId, c.clusterId());
        assertTrue(c.read("/watched").isPresent());
    }

    /** Expires {@code c}'s session the way a long pause would: another client takes it over and closes it. */
    private static void expire(ZooKeeperCoordinator c) throws Exception {
        ZooKeeper victim = c.session().handle();
        ZooKeeper thief = new ZooKeeper(server.connectString(), SESSION_TIMEOUT_MS, event -> { },
                victim.getSessionId(), victim.getSessionPasswd(), false,
                new StaticHostProvider(new ConnectStringParser(server.connectString()).getServerAddresses()),
                new NioClientConfig());
        await("the thief connects", () -> thief.getState().isConnected());
        thief.close();
        await("a new session", () -> c.session().handle() != victim && c.session().handle().getState().isConnected());
    }
}
