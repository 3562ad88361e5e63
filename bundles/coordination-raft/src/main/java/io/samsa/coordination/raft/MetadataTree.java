package io.samsa.coordination.raft;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.TransactResult;
import io.samsa.api.coordination.TransactResult.Failure;

/**
 * The replicated state: the versioned tree, the sessions the quorum knows, broker registrations
 * and the controller election. Every node applies the same commands in the same order, so
 * everything here is deterministic: no clocks, no randomness; ids and epochs come from counters
 * that are part of the state (and of the snapshot), which is why they never go backwards.
 * <p>
 * Not thread-safe: the state machine applies one command at a time and guards reads with its lock.
 */
final class MetadataTree {
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_EPOCH = "/controller_epoch";
    static final String BROKER_IDS = "/brokers/ids";

    /** A node; {@code owner} is the session of an ephemeral node, 0 for a persistent one. */
    record Node(byte[] value, int version, long owner) {
    }

    /** A broker registered by {@code session}. */
    record Broker(long session, long epoch, byte[] registration) {
    }

    /** A candidacy of {@code session} for the controller role. */
    record Candidate(long id, long session, int brokerId) {
    }

    /** What applying a command changed, for the watches and sessions of the node that applied it. */
    interface Events {
        /** {@code path} was created, changed or deleted; {@code membership}: created or deleted. */
        void changed(String path, boolean membership);

        void elected(long candidate, long session, int epoch, int fenceVersion);

        void resigned(long candidate, long session);

        void sessionEnded(long session, boolean expired);
    }

    static final Events NO_EVENTS = new Events() {
        @Override
        public void changed(String path, boolean membership) {
        }

        @Override
        public void elected(long candidate, long session, int epoch, int fenceVersion) {
        }

        @Override
        public void resigned(long candidate, long session) {
        }

        @Override
        public void sessionEnded(long session, boolean expired) {
        }
    };

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    /** Session id to its timeout in milliseconds. */
    private final TreeMap<Long, Integer> sessions = new TreeMap<>();
    private final TreeMap<Integer, Broker> brokers = new TreeMap<>();
    /** In the order they joined; the first is the controller. */
    private final LinkedHashMap<Long, Candidate> candidates = new LinkedHashMap<>();
    private long lastSession;
    private long lastRegistration;
    private long lastCandidate;
    private int electionEpoch;
    private long electedCandidate;

    // --- reads ---

    Node node(String path) {
        return nodes.get(path);
    }

    List<String> children(String path) {
        String prefix = "/".equals(path) ? "/" : path + "/";
        List<String> out = new ArrayList<>();
        for (String p : nodes.tailMap(prefix, false).keySet()) {
            if (!p.startsWith(prefix)) {
                break;
            }
            if (p.indexOf('/', prefix.length()) < 0) {
                out.add(p.substring(prefix.length()));
            }
        }
        return out;
    }

    Map<Long, Integer> sessions() {
        return sessions;
    }

    NavigableMap<Integer, Broker> brokers() {
        return brokers;
    }

    /** The elected controller's broker id, or -1. */
    int controllerId() {
        Candidate c = candidates.get(electedCandidate);
        return c == null ? -1 : c.brokerId();
    }

    // --- writes ---

    long openSession(int timeoutMs) {
        long id = ++lastSession;
        sessions.put(id, timeoutMs);
        return id;
    }

    boolean isLive(long session) {
        return sessions.containsKey(session);
    }

    /**
     * Ends a session as ZooKeeper does: its brokers and ephemeral nodes go, its candidacies are
     * withdrawn (another candidate may win).
     */
    boolean endSession(long session, boolean expired, Events events) {
        if (sessions.remove(session) == null) {
            return false;
        }
        List<Integer> gone = new ArrayList<>();
        brokers.forEach((id, b) -> {
            if (b.session() == session) {
                gone.add(id);
            }
        });
        gone.forEach(brokers::remove);
        List<String> ephemerals = new ArrayList<>();
        nodes.forEach((path, n) -> {
            if (n.owner() == session) {
                ephemerals.add(path);
            }
        });
        ephemerals.forEach(path -> remove(path, Coordinator.ANY_VERSION, events));
        List<Long> candidacies = new ArrayList<>();
        candidates.values().forEach(c -> {
            if (c.session() == session) {
                candidacies.add(c.id());
            }
        });
        candidacies.forEach(c -> withdraw(c, events));
        events.sessionEnded(session, expired);
        return true;
    }

    int compareAndSet(String path, byte[] value, int expectedVersion, Events events) {
        return write(path, value, expectedVersion, 0, events);
    }

    private int write(String path, byte[] value, int expectedVersion, long owner, Events events) {
        Node n = nodes.get(path);
        if (expectedVersion == Coordinator.ABSENT ? n != null : n == null || n.version() != expectedVersion) {
            return -1;
        }
        createParents(path, events);
        int version = n == null ? 0 : n.version() + 1;
        nodes.put(path, new Node(value, version, n == null ? owner : n.owner()));
        events.changed(path, n == null);
        return version;
    }

    private void createParents(String path, Events events) {
        int slash = path.lastIndexOf('/');
        if (slash <= 0) {
            return;
        }
        String parent = path.substring(0, slash);
        if (!nodes.containsKey(parent)) {
            createParents(parent, events);
            nodes.put(parent, new Node(new byte[0], 0, 0));
            events.changed(parent, true);
        }
    }

    boolean remove(String path, int expectedVersion, Events events) {
        Node n = nodes.get(path);
        if (n == null || expectedVersion != Coordinator.ANY_VERSION && n.version() != expectedVersion) {
            return false;
        }
        List<String> gone = new ArrayList<>(nodes.subMap(path + "/", true, path + "0", false).keySet());
        gone.forEach(nodes::remove);
        nodes.remove(path);
        for (int i = gone.size() - 1; i >= 0; i--) {
            events.changed(gone.get(i), true);
        }
        events.changed(path, true);
        return true;
    }

    /** All of {@code ops} or none; {@code session} owns the ephemeral nodes created. */
    TransactResult transact(long session, List<Op> ops, Events events) {
        TransactResult failed = new Conditions().firstFailure(ops, session);
        if (failed != null) {
            return failed;
        }
        List<Integer> versions = new ArrayList<>(ops.size());
        for (Op op : ops) {
            if (op instanceof Op.Check check) {
                versions.add(check.version());
            } else if (op instanceof Op.Set set) {
                versions.add(write(set.path(), set.value(), nodes.get(set.path()).version(), 0, events));
            } else if (op instanceof Op.Create create) {
                versions.add(write(create.path(), create.value(), Coordinator.ABSENT, create.ephemeral() ? session : 0,
                        events));
            } else {
                remove(op.path(), Coordinator.ANY_VERSION, events);
                versions.add(-1);
            }
        }
        return TransactResult.committed(versions);
    }

    /** The conditions of a transaction, tried on a view of the tree that the earlier ops have changed. */
    private final class Conditions {
        /** Paths the earlier ops created or changed (a node) or deleted (null). */
        private final Map<String, Node> changes = new HashMap<>();

        private Node get(String path) {
            return changes.containsKey(path) ? changes.get(path) : nodes.get(path);
        }

        private boolean hasChildren(String path) {
            String prefix = path + "/";
            for (String p : nodes.subMap(prefix, true, path + "0", false).keySet()) {
                if (get(p) != null) {
                    return true;
                }
            }
            for (Map.Entry<String, Node> e : changes.entrySet()) {
                if (e.getKey().startsWith(prefix) && e.getValue() != null) {
                    return true;
                }
            }
            return false;
        }

        TransactResult firstFailure(List<Op> ops, long session) {
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                Node n = get(op.path());
                Failure failure = null;
                if (op instanceof Op.Check check) {
                    failure = n == null ? Failure.NO_NODE : n.version() != check.version() ? Failure.BAD_VERSION : null;
                } else if (op instanceof Op.Set set) {
                    failure = versionFailure(n, set.expectedVersion());
                    if (failure == null) {
                        changes.put(op.path(), new Node(set.value(), n.version() + 1, n.owner()));
                    }
                } else if (op instanceof Op.Create create) {
                    failure = n != null ? Failure.NODE_EXISTS : parentFailure(op.path());
                    if (failure == null) {
                        for (int slash = op.path().lastIndexOf('/'); slash > 0;
                                slash = op.path().lastIndexOf('/', slash - 1)) {
                            String parent = op.path().substring(0, slash);
                            if (get(parent) == null) {
                                changes.put(parent, new Node(new byte[0], 0, 0));
                            }
                        }
                        changes.put(op.path(), new Node(create.value(), 0, create.ephemeral() ? session : 0));
                    }
                } else {
                    failure = versionFailure(n, ((Op.Delete) op).expectedVersion());
                    if (failure == null && hasChildren(op.path())) {
                        failure = Failure.NOT_EMPTY;
                    }
                    if (failure == null) {
                        changes.put(op.path(), null);
                    }
                }
                if (failure != null) {
                    return TransactResult.failed(i, failure);
                }
            }
            return null;
        }

        private static Failure versionFailure(Node n, int expected) {
            if (n == null) {
                return Failure.NO_NODE;
            }
            return expected != Coordinator.ANY_VERSION && n.version() != expected ? Failure.BAD_VERSION : null;
        }

        /** As ZooKeeper: no node below an ephemeral one, nor below a parent this transaction deleted. */
        private Failure parentFailure(String path) {
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                String parent = path.substring(0, slash);
                if (changes.containsKey(parent) && changes.get(parent) == null) {
                    return Failure.NO_NODE;
                }
                Node p = get(parent);
                if (p != null && p.owner() != 0) {
                    return Failure.EPHEMERAL_PARENT;
                }
            }
            return null;
        }
    }

    /**
     * Registers broker {@code brokerId} for {@code session}.
     *
     * @return the new registration epoch; -1 when another registration holds the id, -2 when the session is gone
     */
    long register(long session, int brokerId, byte[] registration, Events events) {
        if (!sessions.containsKey(session)) {
            return -2;
        }
        if (brokers.containsKey(brokerId)) {
            return -1;
        }
        long epoch = ++lastRegistration;
        brokers.put(brokerId, new Broker(session, epoch, registration));
        String path = BROKER_IDS + "/" + brokerId;
        remove(path, Coordinator.ANY_VERSION, events);
        write(path, registration, Coordinator.ABSENT, session, events);
        return epoch;
    }

    boolean unregister(long session, int brokerId, Events events) {
        Broker b = brokers.get(brokerId);
        if (b == null || b.session() != session) {
            return false;
        }
        brokers.remove(brokerId);
        remove(BROKER_IDS + "/" + brokerId, Coordinator.ANY_VERSION, events);
        return true;
    }

    /** @return the candidacy's id, or -2 when the session is gone */
    long join(long session, int brokerId, Events events) {
        if (!sessions.containsKey(session)) {
            return -2;
        }
        Candidate c = new Candidate(++lastCandidate, session, brokerId);
        candidates.put(c.id(), c);
        if (electedCandidate == 0) {
            elect(c, events);
        }
        return c.id();
    }

    /**
     * As the ZooKeeper election: each win writes the next epoch to /controller_epoch (its version
     * is the fence) and holds /controller, ephemeral in the winner's session.
     */
    private void elect(Candidate c, Events events) {
        int epoch = ++electionEpoch;
        electedCandidate = c.id();
        Node current = nodes.get(CONTROLLER_EPOCH);
        int fence = write(CONTROLLER_EPOCH, Integer.toString(epoch).getBytes(UTF_8),
                current == null ? Coordinator.ABSENT : current.version(), 0, events);
        remove(CONTROLLER, Coordinator.ANY_VERSION, events);
        write(CONTROLLER, ("{\"version\":1,\"brokerid\":" + c.brokerId() + "}").getBytes(UTF_8), Coordinator.ABSENT,
                c.session(), events);
        events.elected(c.id(), c.session(), epoch, fence);
    }

    boolean withdraw(long candidate, Events events) {
        Candidate gone = candidates.remove(candidate);
        if (gone == null) {
            return false;
        }
        if (electedCandidate == candidate) {
            electedCandidate = 0;
            remove(CONTROLLER, Coordinator.ANY_VERSION, events);
            events.resigned(candidate, gone.session());
            if (!candidates.isEmpty()) {
                elect(candidates.values().iterator().next(), events);
            }
        }
        return true;
    }

    // --- snapshots ---

    private static final int SNAPSHOT_FORMAT = 1;

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(SNAPSHOT_FORMAT);
        out.writeLong(lastSession);
        out.writeLong(lastRegistration);
        out.writeLong(lastCandidate);
        out.writeInt(electionEpoch);
        out.writeLong(electedCandidate);
        out.writeInt(nodes.size());
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            out.writeUTF(e.getKey());
            Codec.writeBytes(out, e.getValue().value());
            out.writeInt(e.getValue().version());
            out.writeLong(e.getValue().owner());
        }
        out.writeInt(sessions.size());
        for (Map.Entry<Long, Integer> e : sessions.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue());
        }
        out.writeInt(brokers.size());
        for (Map.Entry<Integer, Broker> e : brokers.entrySet()) {
            out.writeInt(e.getKey());
            out.writeLong(e.getValue().session());
            out.writeLong(e.getValue().epoch());
            Codec.writeBytes(out, e.getValue().registration());
        }
        out.writeInt(candidates.size());
        for (Candidate c : candidates.values()) {
            out.writeLong(c.id());
            out.writeLong(c.session());
            out.writeInt(c.brokerId());
        }
    }

    /** Replaces this state with the one {@code in} holds. */
    void readFrom(DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != SNAPSHOT_FORMAT) {
            throw new IOException("Metadata snapshot format " + format + " is not " + SNAPSHOT_FORMAT
                    + ", the one this coordinator reads");
        }
        nodes.clear();
        sessions.clear();
        brokers.clear();
        candidates.clear();
        lastSession = in.readLong();
        lastRegistration = in.readLong();
        lastCandidate = in.readLong();
        electionEpoch = in.readInt();
        electedCandidate = in.readLong();
        for (int i = in.readInt(); i > 0; i--) {
            nodes.put(in.readUTF(), new Node(Codec.readBytes(in), in.readInt(), in.readLong()));
        }
        for (int i = in.readInt(); i > 0; i--) {
            sessions.put(in.readLong(), in.readInt());
        }
        for (int i = in.readInt(); i > 0; i--) {
            brokers.put(in.readInt(), new Broker(in.readLong(), in.readLong(), Codec.readBytes(in)));
        }
        for (int i = in.readInt(); i > 0; i--) {
            Candidate c = new Candidate(in.readLong(), in.readLong(), in.readInt());
            candidates.put(c.id(), c);
        }
    }
}
