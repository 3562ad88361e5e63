package io.samsa.coordination.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.TransactResult;
import io.samsa.testsupport.CoordinatorContractTest;
import io.samsa.testsupport.LoopbackPorts;
import io.samsa.testsupport.Poll;

/** What the contract cannot say about a Raft quorum: leader changes, real expiry, snapshots and restarts. */
public class RaftQuorumFaultsTest {
    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();
    private TestQuorum quorum;

    @After
    public void stopQuorum() {
        if (quorum != null) {
            quorum.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static String text(Optional<Coordinator.Versioned> v) {
        return v.map(x -> new String(x.value(), UTF_8)).orElse("<absent>");
    }

    /** Election events as "elected N" and "resigned", in order. */
    private static final class Recorder implements io.samsa.api.coordination.ElectionListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void elected(int epoch) {
            events.add("elected " + epoch);
        }

        @Override
        public void resigned() {
            events.add("resigned");
        }

        boolean isController() {
            return !events.isEmpty() && events.get(events.size() - 1).startsWith("elected ");
        }

        int lastEpoch() {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i).startsWith("elected ")) {
                    return Integer.parseInt(events.get(i).substring("elected ".length()));
                }
            }
            return -1;
        }
    }

    @Test
    public void aWatchOnAFollowerMissesNoChangeAcrossALeaderChange() throws Exception {
        quorum = new TestQuorum(folder.getRoot().toPath(), 3);
        int leader = quorum.awaitLeader();
        RaftCoordinator writer = quorum.open((leader + 1) % 3);
        RaftCoordinator watcher = quorum.open((leader + 2) % 3);
        List<String> seen = new CopyOnWriteArrayList<>();
        watcher.watch("/lc", () -> seen.add(text(watcher.read("/lc"))));
        Poll.until("the first call", () -> seen.contains("<absent>"));
        writer.compareAndSet("/lc", bytes("before"), Coordinator.ABSENT);
        Poll.until("the watch sees the write before the leader change", () -> seen.contains("before"));

        quorum.stop(leader);
        assertEquals("written after the old leader stopped", 1, writer.compareAndSet("/lc", bytes("after"), 0));
        int newLeader = quorum.awaitLeader();
        assertTrue("another node leads", newLeader != leader);
        Poll.until("the watcher sees the change made under the new leader: " + seen,
                () -> "after".equals(seen.get(seen.size() - 1)));
        assertEquals("after", text(watcher.read("/lc")));
    }

    @Test
    public void theElectionEpochNeverGoesBackwardsAcrossARaftLeaderChange() throws Exception {
        quorum = new TestQuorum(folder.getRoot().toPath(), 3);
        int leader = quorum.awaitLeader();
        RaftCoordinator first = quorum.open((leader + 1) % 3);
        RaftCoordinator second = quorum.open((leader + 2) % 3);
        Recorder one = new Recorder();
        Recorder two = new Recorder();
        Election e1 = first.electController(1, one);
        Poll.until("broker 1 is elected", one::isController);
        second.electController(2, two);
        Op staleFence = e1.fence();
        int firstEpoch = one.lastEpoch();

        quorum.stop(leader);
        quorum.awaitLeader();
        first.close();
        Poll.until("broker 2 takes over under the new Raft leader", two::isController);
        assertTrue("epochs grow across the Raft leader change: " + one.events + " " + two.events,
                two.lastEpoch() > firstEpoch);
        assertEquals(Integer.toString(two.lastEpoch()), text(second.read(MetadataTree.CONTROLLER_EPOCH)));
        TransactResult stale = second.transact(List.of(staleFence, new Op.Create("/decided", bytes("x"), false)));
        assertEquals(TransactResult.Failure.BAD_VERSION, stale.failure());
        assertEquals(Optional.empty(), second.read("/decided"));
    }

    @Test
    public void aSilentSessionExpiresTakingItsEphemeralsAndRegistersAgainWithALargerEpoch() throws Exception {
        quorum = new TestQuorum(folder.getRoot().toPath(), 1);
        quorum.awaitLeader();
        RaftCoordinator paused = quorum.open(0);
        RaftCoordinator observer = quorum.open(0);
        BrokerSession registration = paused.registerBroker(
                new BrokerRegistration(5, "h5", 9095, Optional.empty(), 0));
        long firstEpoch = registration.epoch();
        assertTrue(paused.transact(List.of(new Op.Create("/eph/mine", bytes("m"), true))).isCommitted());
        CoordinatorContractTest.SessionEvents events = new CoordinatorContractTest.SessionEvents();
        registration.addListener(events);
        long firstSession = paused.sessionId();

        paused.pauseHeartbeats(true);
        Poll.until("the leader expires the silent session", () -> paused.sessionId() != firstSession);
        paused.pauseHeartbeats(false);
        Poll.until("the ephemeral node is gone", () -> observer.read("/eph/mine").isEmpty());
        Poll.until("broker 5 is registered again: " + events.events, () -> registration.epoch() > firstEpoch);
        assertTrue(events.events.toString(), events.events.contains("expired"));
        List<BrokerRegistration> live = observer.liveBrokers();
        assertEquals(1, live.size());
        assertEquals(registration.epoch(), live.get(0).epoch());
        assertEquals(Optional.empty(), observer.read("/eph/mine"));
        Poll.until("the lease is held in the new session", registration::holdsLease);
    }

    @Test
    public void aRestartedNodeLoadsItsSnapshotAndCatchesUp() throws Exception {
        quorum = new TestQuorum(folder.getRoot().toPath(), 3);
        int leader = quorum.awaitLeader();
        int restarted = (leader + 1) % 3;
        RaftCoordinator writer = quorum.open(leader);
        writer.compareAndSet("/snap", bytes("0"), Coordinator.ABSENT);
        for (int i = 1; i <= 30; i++) {
            writer.compareAndSet("/snap", bytes(Integer.toString(i)), i - 1);
        }
        Poll.until("the node applied the writes", () -> quorum.node(restarted).localValue("/snap")
                .equals(Optional.of("30")));
        long snapshotIndex = quorum.node(restarted).takeSnapshot();
        assertTrue("a snapshot at " + snapshotIndex, snapshotIndex > 0);

        quorum.stop(restarted);
        for (int i = 31; i <= 50; i++) {
            writer.compareAndSet("/snap", bytes(Integer.toString(i)), i - 1);
        }
        quorum.start(restarted);
        assertTrue("the restarted node starts from its snapshot",
                quorum.node(restarted).latestSnapshotIndex() >= snapshotIndex);
        assertTrue("and has applied at least what it holds", quorum.node(restarted).appliedIndex() >= snapshotIndex);
        Poll.until("the restarted node catches up with what it missed",
                () -> quorum.node(restarted).localValue("/snap").equals(Optional.of("50")));
        RaftCoordinator reader = quorum.open(restarted);
        assertEquals("50", text(reader.read("/snap")));
    }

    @Test
    public void aSingleNodeKeepsItsStateAcrossARestartFromSnapshotAndLog() throws Exception {
        quorum = new TestQuorum(folder.getRoot().toPath(), 1);
        quorum.awaitLeader();
        RaftCoordinator c = quorum.open(0);
        String clusterId = c.clusterId();
        c.compareAndSet("/kept", bytes("snapshotted"), Coordinator.ABSENT);
        assertTrue("a snapshot is taken", quorum.node(0).takeSnapshot() > 0);
        c.compareAndSet("/kept", bytes("logged"), 0);
        c.close();
        quorum.stop(0);

        quorum.start(0);
        quorum.awaitLeader();
        RaftCoordinator again = quorum.open(0);
        assertEquals("the cluster id survives", clusterId, again.clusterId());
        assertEquals("logged", text(again.read("/kept")));
        assertEquals(1, again.read("/kept").orElseThrow().version());
    }

    @Test
    public void aNodeWhosePortIsTakenFailsNamingTheAddressAndLeavesTheJvmRunning() throws Exception {
        int port = LoopbackPorts.free();
        QuorumVoters voters = QuorumVoters.parse("1@127.0.0.1:" + port);
        RaftNode.Settings settings = new RaftNode.Settings(1, voters, folder.getRoot().toPath().resolve("taken"), 300,
                15_000, 100_000);
        try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            try {
                new RaftNode(settings).close();
                fail("a node started on a port another socket holds");
            } catch (CoordinationException e) {
                // Ratis' own reaction is System.exit, which would have ended this test JVM here.
                assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1:" + port));
            }
        }
        try (RaftNode node = new RaftNode(settings)) {
            Poll.until("the node leads its quorum of one once the port is free", node::isLeader);
        }
    }

    @Test
    public void badQuorumSettingsAreRefusedNamingTheProblem() {
        assertMessage("not id@host:port", () -> QuorumVoters.parse("1@localhost"));
        assertMessage("twice", () -> QuorumVoters.parse("1@a:1,1@b:2"));
        assertMessage("numeric", () -> QuorumVoters.parse("x@a:1"));
        assertMessage("is not one of", () -> QuorumVoters.parse("1@a:1").voter(2));
        assertMessage("empty", () -> QuorumVoters.parse(" "));
        assertEquals(new QuorumVoters.Voter(3, "::1", 9094), QuorumVoters.parse("1@h:1, 3@[::1]:9094").voter(3));
        assertMessage("broker.heartbeat.interval.ms", () -> new RaftCoordinator.SessionSettings(1000, 1000));
    }

    /** The metatype's defaults, with {@code voters} and {@code nodeId} as given. */
    private static RaftCoordinator.Config config(int nodeId, String voters) {
        return new RaftCoordinator.Config() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return RaftCoordinator.Config.class;
            }

            @Override
            public int node_id() {
                return nodeId;
            }

            @Override
            public String controller_quorum_voters() {
                return voters;
            }

            @Override
            public String metadata_log_dir() {
                return "data/metadata";
            }

            @Override
            public int broker_session_timeout_ms() {
                return 9000;
            }

            @Override
            public int broker_heartbeat_interval_ms() {
                return 2000;
            }

            @Override
            public int controller_quorum_election_timeout_ms() {
                return 1000;
            }

            @Override
            public int controller_quorum_request_timeout_ms() {
                return 10000;
            }

            @Override
            public long samsa_raft_snapshot_entries() {
                return 10000;
            }
        };
    }

    @Test
    public void withNoVotersANodeIsAQuorumOfItselfOnLoopback() {
        RaftNode.Settings alone = RaftCoordinator.nodeSettings(config(4, ""));
        assertEquals(List.of(new QuorumVoters.Voter(4, "127.0.0.1", 9094)), alone.voters().voters());
        RaftNode.Settings three = RaftCoordinator.nodeSettings(config(2, "1@h1:9094,2@h2:9094,3@h3:9094"));
        assertEquals(3, three.voters().voters().size());
        assertMessage("node.id 7 is not one of", () -> RaftCoordinator.nodeSettings(config(7, "1@h1:9094")));
    }

    private static void assertMessage(String part, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException e) {
            assertTrue("'" + e.getMessage() + "' names " + part, e.getMessage().contains(part));
            return;
        }
        assertFalse("expected an IllegalArgumentException naming " + part, true);
    }
}
