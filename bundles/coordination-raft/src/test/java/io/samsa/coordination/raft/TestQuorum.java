package io.samsa.coordination.raft;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.samsa.testsupport.LoopbackPorts;
import io.samsa.testsupport.Poll;

/** A quorum of Raft nodes in this JVM, on loopback ports, with their logs below {@code dir}. */
final class TestQuorum implements AutoCloseable {
    static final RaftCoordinator.SessionSettings SESSION = new RaftCoordinator.SessionSettings(4000, 250);
    private final Path dir;
    private final QuorumVoters voters;
    private final RaftNode[] nodes;
    private final long snapshotThreshold;
    private final List<RaftCoordinator> sessions = new ArrayList<>();

    TestQuorum(Path dir, int size) throws IOException {
        this(dir, size, 100_000);
    }

    TestQuorum(Path dir, int size, long snapshotThreshold) throws IOException {
        this.dir = dir;
        this.snapshotThreshold = snapshotThreshold;
        List<QuorumVoters.Voter> list = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            list.add(new QuorumVoters.Voter(id, "127.0.0.1", freePort()));
        }
        voters = new QuorumVoters(list);
        nodes = new RaftNode[size];
        for (int i = 0; i < size; i++) {
            start(i);
        }
    }

    private static int freePort() {
        return LoopbackPorts.free();
    }

    int size() {
        return nodes.length;
    }

    RaftNode node(int index) {
        return nodes[index];
    }

    void start(int index) {
        int id = voters.voters().get(index).id();
        nodes[index] = new RaftNode(new RaftNode.Settings(id, voters, dir.resolve("node-" + id), 300, 15_000,
                snapshotThreshold));
    }

    void stop(int index) {
        nodes[index].close();
        nodes[index] = null;
    }

    /** The index of the node leading now, once there is one. */
    int awaitLeader() {
        int[] leader = { -1 };
        Poll.until("a Raft leader", () -> {
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] != null && nodes[i].isLeader()) {
                    leader[0] = i;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    RaftCoordinator open(int index) {
        RaftCoordinator c = new RaftCoordinator(nodes[index], false, SESSION);
        sessions.add(c);
        return c;
    }

    @Override
    public void close() {
        for (RaftCoordinator c : sessions) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // the node may be gone already
            }
        }
        for (RaftNode n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }
}
