package io.samsa.coordination.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.Uuid;
import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.coordination.Op;
import io.samsa.testsupport.Poll;

/**
 * Kafka 2.x's ZooKeeper layout, which Kafka's own tools read: /brokers/ids, /controller,
 * /controller_epoch, /cluster/id. The behaviour every coordinator shares is in the contract suite.
 */
public class CoordinatorClusterTest extends EmbeddedServerTestBase {

    /** Records elected epochs and resignations. */
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
            String last = events.get(events.size() - 1);
            return last.startsWith("elected ") ? Integer.parseInt(last.substring(8)) : -1;
        }
    }

    private static String text(Coordinator c, String path) {
        return new String(c.read(path).orElseThrow().value(), UTF_8);
    }

    @Test
    public void brokersAreKafkasJsonUnderBrokersIdsWithTheCreationZxidAsEpoch() throws Exception {
        ZooKeeperCoordinator c = coordinator();
        BrokerSession session = c.registerBroker(new BrokerRegistration(1, "host-1", 9091, Optional.of("rack-a"), 0));
        String json = text(c, "/brokers/ids/1");
        assertTrue(json, json.startsWith("{\"version\":5,\"host\":\"host-1\",\"port\":9091,"));
        assertTrue(json, json.contains("\"rack\":\"rack-a\""));
        long czxid = c.session().client().checkExists().forPath("/brokers/ids/1").getCzxid();
        assertEquals(czxid, session.epoch());
        assertEquals(czxid, c.liveBrokers().get(0).epoch());
    }

    @Test
    public void theControllerHoldsControllerAndItsEpochIsInControllerEpoch() {
        ZooKeeperCoordinator c = coordinator();
        Recorder me = new Recorder();
        Election election = c.electController(3, me);
        Poll.until("elected", () -> me.events.size() == 1);
        String json = text(c, "/controller");
        assertTrue(json, json.startsWith("{\"version\":1,\"brokerid\":3,\"timestamp\":\""));
        assertEquals(Integer.toString(me.lastEpoch()), text(c, "/controller_epoch"));
        assertEquals("the fence is Kafka's: the version of /controller_epoch this win wrote",
                new Op.Check("/controller_epoch", c.read("/controller_epoch").orElseThrow().version()), election.fence());
    }

    @Test
    public void deletingControllerForcesANewElectionWithALargerEpoch() {
        Coordinator c = coordinator();
        Recorder me = new Recorder();
        c.electController(3, me);
        Poll.until("elected", () -> me.events.size() == 1);
        int epoch = me.lastEpoch();

        assertTrue(c.delete("/controller", Coordinator.ANY_VERSION)); // an operator forcing re-election
        Poll.until("resigned and re-elected", () -> me.events.size() == 3);
        assertEquals("resigned", me.events.get(1));
        assertTrue(me.lastEpoch() > epoch);
        assertEquals(Integer.toString(me.lastEpoch()), text(c, "/controller_epoch"));
    }

    @Test
    public void clusterIdIsCreatedOnceAndStableAcrossReconnectsAndExpiry() throws Exception {
        ZooKeeperCoordinator first = coordinator();
        String id = first.clusterId();
        assertEquals(id, Uuid.fromString(id).toString());
        SessionFaults.expire(first, ZOOKEEPER.connectString());
        assertEquals(id, first.clusterId());
        first.close();

        Coordinator again = coordinator();
        assertEquals(id, again.clusterId());
        assertEquals("{\"version\":\"1\",\"id\":\"" + id + "\"}", text(again, "/cluster/id"));

        Coordinator otherCluster = coordinator(ZOOKEEPER.connectString() + chroot + "-other");
        assertNotEquals(id, otherCluster.clusterId());
    }
}
