package io.samsa.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.SessionListener;
import io.samsa.api.coordination.TransactResult;
import io.samsa.api.coordination.Watch;

/**
 * A coordinator in one process for tests, proved faithful by the Coordinator contract suite.
 * <p>
 * One instance is one session of a cluster; {@link #connectAnother()} opens another session of
 * the same cluster, as another broker process would. The cluster is a map of path to (value,
 * version) with children by prefix, brokers owned by the session that registered them, and an
 * election among the candidates in the order they joined. Watch and election callbacks run on
 * one thread per cluster, in order. {@link #expireSession()} does what a ZooKeeper session
 * expiry does: registrations and candidacies of the session go, then come back in a new one.
 */
public final class InMemoryCoordinator implements Coordinator, AutoCloseable {

    /** A node; {@code owner} is the session of an ephemeral node, null for a persistent one. */
    private record Node(byte[] value, int version, InMemoryCoordinator owner) {
        Node(byte[] value, int version) {
            this(value, version, null);
        }
    }

    /** The state every session of one cluster shares; guarded by its own monitor. */
    private static final class Cluster {
        final Map<String, Node> nodes = new TreeMap<>();
        final Map<Integer, Registered> brokers = new TreeMap<>();
        final List<WatchEntry> watches = new CopyOnWriteArrayList<>();
        final Deque<Candidate> candidates = new ArrayDeque<>();
        final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "in-memory-coordinator");
            t.setDaemon(true);
            return t;
        });
        long registrations;
        int electionEpoch;
        int openSessions;
    }

    private static final long RECONNECT_MS = 50;
    private static final String CONTROLLER_EPOCH = "/controller_epoch";
    private static final String CONTROLLER = "/controller";

    private final Cluster cluster;
    private final List<Registered> registered = new ArrayList<>();
    private final List<Candidate> candidacies = new ArrayList<>();
    private volatile boolean reachable = true;
    /** While set, this session's watches miss events, as a ZooKeeper client's do while disconnected. */
    private volatile boolean disconnected;
    private boolean closed;
    private volatile long leaseNanos = TimeUnit.SECONDS.toNanos(10);
    /** When this session became unreachable; its leases run out {@link #leaseNanos} later. */
    private volatile long unreachableSinceNanos;

    /** A new cluster, with this as its first session. */
    public InMemoryCoordinator() {
        this(new Cluster());
    }

    private InMemoryCoordinator(Cluster cluster) {
        this.cluster = cluster;
        synchronized (cluster) {
            cluster.openSessions++;
        }
    }

    /** Another session of the same cluster, as another broker process would open. */
    public InMemoryCoordinator connectAnother() {
        return new InMemoryCoordinator(cluster);
    }

    private final class WatchEntry implements Watch {
        final String path;
        final Runnable listener;
        /** Set for a tree watch, which gets changed paths (and null to resync) instead of {@link #listener}. */
        final Consumer<String> tree;

        WatchEntry(String path, Runnable listener) {
            this(path, listener, null);
        }

        WatchEntry(String path, Consumer<String> tree) {
            this(path, null, tree);
        }

        private WatchEntry(String path, Runnable listener, Consumer<String> tree) {
            this.path = path;
            this.listener = listener;
            this.tree = tree;
        }

        boolean covers(String changed) {
            return tree != null && (changed.equals(path) || "/".equals(path) || changed.startsWith(path + "/"));
        }

        InMemoryCoordinator owner() {
            return InMemoryCoordinator.this;
        }

        @Override
        public void close() {
            cluster.watches.remove(this);
        }
    }

    private final class Registered implements BrokerSession {
        final BrokerRegistration registration;
        final CopyOnWriteArrayList<SessionListener> listeners = new CopyOnWriteArrayList<>();
        volatile long epoch;

        Registered(BrokerRegistration registration) {
            this.registration = registration;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public long leaseValidUntilNanos() {
            long now = System.nanoTime();
            synchronized (cluster) {
                if (closed || !registered.contains(this) || cluster.brokers.get(registration.brokerId()) != this) {
                    return now - 1;
                }
            }
            return reachable ? now + leaseNanos : unreachableSinceNanos + leaseNanos;
        }

        @Override
        public void addListener(SessionListener listener) {
            Objects.requireNonNull(listener, "listener");
            cluster.callbacks.execute(() -> {
                if (listeners.addIfAbsent(listener) && registered.contains(this)) {
                    listener.registered(epoch);
                }
            });
        }

        @Override
        public void removeListener(SessionListener listener) {
            listeners.remove(listener);
        }

        void tell(Consumer<SessionListener> event) {
            cluster.callbacks.execute(() -> listeners.forEach(event));
        }

        @Override
        public void close() {
            synchronized (cluster) {
                if (registered.remove(this)) {
                    unpublish(this);
                }
            }
        }
    }

    private final class Candidate implements Election {
        final int brokerId;
        final ElectionListener listener;
        volatile Op fence;

        Candidate(int brokerId, ElectionListener listener) {
            this.brokerId = brokerId;
            this.listener = listener;
        }

        InMemoryCoordinator session() {
            return InMemoryCoordinator.this;
        }

        @Override
        public OptionalInt controllerId() {
            synchronized (cluster) {
                Candidate c = cluster.candidates.peekFirst();
                return c == null ? OptionalInt.empty() : OptionalInt.of(c.brokerId);
            }
        }

        @Override
        public Op fence() {
            Op current = fence;
            if (current == null) {
                throw new IllegalStateException("Broker " + brokerId + " has not been elected controller; it has no"
                        + " fence for its writes");
            }
            return current;
        }

        @Override
        public void close() {
            synchronized (cluster) {
                if (candidacies.remove(this)) {
                    withdraw(this);
                }
            }
        }
    }

    /** Makes every call of this session fail as an unreachable quorum would. */
    public void setReachable(boolean reachable) {
        if (this.reachable && !reachable) {
            unreachableSinceNanos = System.nanoTime();
        }
        this.reachable = reachable;
    }

    /**
     * How long a broker's lease outlives the last moment its session was reachable (10 s unless
     * set): an unreachable session stands for a paused process, whose lease runs out.
     */
    public void setLeaseMillis(long millis) {
        leaseNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private void check() {
        if (!reachable || closed) {
            throw new CoordinationException(closed ? "in-memory coordinator is closed"
                    : "in-memory coordinator is unreachable");
        }
    }

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public String clusterId() {
        return "test-cluster";
    }

    @Override
    public Optional<Versioned> read(String path) {
        synchronized (cluster) {
            check();
            Node n = cluster.nodes.get(path);
            return n == null ? Optional.empty() : Optional.of(new Versioned(n.value.clone(), n.version));
        }
    }

    @Override
    public List<String> children(String path) {
        synchronized (cluster) {
            check();
            String prefix = "/".equals(path) ? "/" : path + "/";
            List<String> out = new ArrayList<>();
            for (String p : cluster.nodes.keySet()) {
                if (p.startsWith(prefix) && p.length() > prefix.length() && p.indexOf('/', prefix.length()) < 0) {
                    out.add(p.substring(prefix.length()));
                }
            }
            return out;
        }
    }

    @Override
    public int compareAndSet(String path, byte[] value, int expectedVersion) {
        if (expectedVersion < ABSENT) {
            throw new IllegalArgumentException("expectedVersion must be a version or ABSENT (-1), not "
                    + expectedVersion);
        }
        synchronized (cluster) {
            check();
            return write(path, value, expectedVersion);
        }
    }

    private int write(String path, byte[] value, int expectedVersion) {
        return write(path, value, expectedVersion, null);
    }

    /** Writes at {@code expectedVersion}; a node created here is ephemeral when {@code owner} is set. */
    private int write(String path, byte[] value, int expectedVersion, InMemoryCoordinator owner) {
        Node n = cluster.nodes.get(path);
        if (expectedVersion == ABSENT ? n != null : n == null || n.version != expectedVersion) {
            return -1;
        }
        createParents(path);
        int version = n == null ? 0 : n.version + 1;
        cluster.nodes.put(path, new Node(value.clone(), version, n == null ? owner : n.owner));
        changed(path, n == null);
        return version;
    }

    private void createParents(String path) {
        int slash = path.lastIndexOf('/');
        if (slash <= 0) {
            return;
        }
        String parent = path.substring(0, slash);
        if (!cluster.nodes.containsKey(parent)) {
            createParents(parent);
            cluster.nodes.put(parent, new Node(new byte[0], 0));
            changed(parent, true);
        }
    }

    @Override
    public boolean delete(String path, int expectedVersion) {
        if ("/".equals(path)) {
            throw new IllegalArgumentException("The root node cannot be deleted");
        }
        synchronized (cluster) {
            check();
            return remove(path, expectedVersion);
        }
    }

    private boolean remove(String path, int expectedVersion) {
        Node n = cluster.nodes.get(path);
        if (n == null || expectedVersion != ANY_VERSION && n.version != expectedVersion) {
            return false;
        }
        List<String> gone = new ArrayList<>();
        cluster.nodes.keySet().removeIf(p -> (p.equals(path) || p.startsWith(path + "/")) && gone.add(p));
        changed(path, true);
        for (String p : gone) {
            if (!p.equals(path)) {
                treeChanged(p); // ZooKeeper reports each deleted descendant to recursive watches
            }
        }
        return true;
    }

    /** Fires the watches of {@code path}, of its descendants and, when it appeared or vanished, of its parent. */
    private void changed(String path, boolean membership) {
        int slash = path.lastIndexOf('/');
        String parent = slash > 0 ? path.substring(0, slash) : "/";
        for (WatchEntry w : cluster.watches) {
            if (w.tree == null
                    && (w.path.equals(path) || membership && w.path.equals(parent) || w.path.startsWith(path + "/"))) {
                fire(w);
            }
        }
        treeChanged(path);
    }

    private void treeChanged(String path) {
        for (WatchEntry w : cluster.watches) {
            if (w.covers(path)) {
                fire(w, path);
            }
        }
    }

    /** Calls the watch: a plain watch to re-read, a tree watch to resync. */
    private void fire(WatchEntry w) {
        fire(w, null);
    }

    private void fire(WatchEntry w, String path) {
        if (w.owner().disconnected) {
            return;
        }
        cluster.callbacks.execute(() -> {
            if (!cluster.watches.contains(w)) {
                return;
            }
            if (w.tree != null) {
                w.tree.accept(path);
            } else {
                w.listener.run();
            }
        });
    }

    @Override
    public BrokerSession registerBroker(BrokerRegistration registration) {
        synchronized (cluster) {
            check();
            int id = registration.brokerId();
            if (id < 0) {
                throw new IllegalArgumentException("broker.id must not be negative: " + id);
            }
            if (cluster.brokers.containsKey(id)) {
                throw new CoordinationException("Broker id " + id + " is already registered");
            }
            Registered r = new Registered(registration);
            registered.add(r);
            publish(r);
            return r;
        }
    }

    private void publish(Registered r) {
        int id = r.registration.brokerId();
        r.epoch = ++cluster.registrations;
        cluster.brokers.put(id, r);
        write("/brokers/ids/" + id, new byte[0], ABSENT);
    }

    private void unpublish(Registered r) {
        int id = r.registration.brokerId();
        if (cluster.brokers.get(id) == r) {
            cluster.brokers.remove(id);
            remove("/brokers/ids/" + id, ANY_VERSION);
        }
    }

    @Override
    public List<BrokerRegistration> liveBrokers() {
        synchronized (cluster) {
            check();
            List<BrokerRegistration> live = new ArrayList<>();
            for (Registered r : cluster.brokers.values()) {
                live.add(r.registration.withEpoch(r.epoch));
            }
            return live;
        }
    }

    @Override
    public Watch watch(String path, Runnable listener) {
        return register(new WatchEntry(path, listener));
    }

    /** Registers the watch and calls it once, as a first read (or a first resync). */
    private Watch register(WatchEntry w) {
        synchronized (cluster) {
            check();
            cluster.watches.add(w);
            fire(w);
            return w;
        }
    }

    @Override
    public Watch watchTree(String root, Consumer<String> changedPath) {
        if (root == null || !root.startsWith("/") || root.length() > 1 && root.endsWith("/")) {
            throw new IllegalArgumentException("watchTree needs an absolute path such as /brokers/topics, not " + root);
        }
        Objects.requireNonNull(changedPath, () -> "watchTree of " + root + " needs a listener");
        return register(new WatchEntry(root, changedPath));
    }

    @Override
    public TransactResult transact(List<Op> ops) {
        if (ops == null || ops.isEmpty()) {
            throw new IllegalArgumentException("transact needs at least one op");
        }
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) == null) {
                throw new IllegalArgumentException("transact op " + i + " is null");
            }
        }
        synchronized (cluster) {
            check();
            TransactResult failed = new TransactionCheck(cluster.nodes, this).firstFailure(ops);
            if (failed != null) {
                return failed;
            }
            // every condition holds: apply, under the same monitor, so nobody sees a partial state
            List<Integer> versions = new ArrayList<>(ops.size());
            for (Op op : ops) {
                if (op instanceof Op.Check check) {
                    versions.add(check.version());
                } else if (op instanceof Op.Set set) {
                    Node n = cluster.nodes.get(set.path());
                    versions.add(write(set.path(), set.value(), n.version));
                } else if (op instanceof Op.Create create) {
                    versions.add(write(create.path(), create.value(), ABSENT, create.ephemeral() ? this : null));
                } else {
                    remove(op.path(), ANY_VERSION);
                    versions.add(-1);
                }
            }
            return TransactResult.committed(versions);
        }
    }

    /** The conditions of a transaction, tried on a view of the tree that the earlier ops have changed. */
    private static final class TransactionCheck {
        private final Map<String, Node> nodes;
        private final InMemoryCoordinator session;
        /** Paths the earlier ops created (a node) or deleted (null). */
        private final Map<String, Node> changes = new HashMap<>();

        TransactionCheck(Map<String, Node> nodes, InMemoryCoordinator session) {
            this.nodes = nodes;
            this.session = session;
        }

        private Node get(String path) {
            return changes.containsKey(path) ? changes.get(path) : nodes.get(path);
        }

        private boolean hasChildren(String path) {
            String prefix = path + "/";
            for (String p : nodes.keySet()) {
                if (p.startsWith(prefix) && get(p) != null) {
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

        TransactResult firstFailure(List<Op> ops) {
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                Node n = get(op.path());
                TransactResult.Failure failure = null;
                if (op instanceof Op.Check check) {
                    failure = n == null ? TransactResult.Failure.NO_NODE
                            : n.version != check.version() ? TransactResult.Failure.BAD_VERSION : null;
                } else if (op instanceof Op.Set set) {
                    failure = versionFailure(n, set.expectedVersion());
                    if (failure == null) {
                        changes.put(op.path(), new Node(set.value(), n.version + 1, n.owner));
                    }
                } else if (op instanceof Op.Create create) {
                    failure = n != null ? TransactResult.Failure.NODE_EXISTS : parentFailure(op.path());
                    if (failure == null) {
                        for (int slash = op.path().lastIndexOf('/'); slash > 0;
                                slash = op.path().lastIndexOf('/', slash - 1)) {
                            String parent = op.path().substring(0, slash);
                            if (get(parent) == null) {
                                changes.put(parent, new Node(new byte[0], 0));
                            }
                        }
                        changes.put(op.path(), new Node(create.value(), 0, create.ephemeral() ? session : null));
                    }
                } else {
                    failure = versionFailure(n, ((Op.Delete) op).expectedVersion());
                    if (failure == null && hasChildren(op.path())) {
                        failure = TransactResult.Failure.NOT_EMPTY;
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

        private static TransactResult.Failure versionFailure(Node n, int expected) {
            if (n == null) {
                return TransactResult.Failure.NO_NODE;
            }
            return expected != ANY_VERSION && n.version != expected ? TransactResult.Failure.BAD_VERSION : null;
        }

        /** As ZooKeeper: no node below an ephemeral one, nor below a parent this transaction deleted. */
        private TransactResult.Failure parentFailure(String path) {
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                String parent = path.substring(0, slash);
                if (changes.containsKey(parent) && changes.get(parent) == null) {
                    return TransactResult.Failure.NO_NODE;
                }
                Node p = get(parent);
                if (p != null && p.owner != null) {
                    return TransactResult.Failure.EPHEMERAL_PARENT;
                }
            }
            return null;
        }
    }

    @Override
    public Election electController(int brokerId, ElectionListener listener) {
        synchronized (cluster) {
            check();
            Candidate c = new Candidate(brokerId, listener);
            candidacies.add(c);
            join(c);
            return c;
        }
    }

    private void join(Candidate c) {
        cluster.candidates.addLast(c);
        if (cluster.candidates.peekFirst() == c) {
            elect(c);
        }
    }

    /**
     * As the ZooKeeper election: each win writes the next epoch to /controller_epoch, and fences by
     * its version, and holds /controller (ephemeral, the JSON the ZooKeeper coordinator writes).
     */
    private void elect(Candidate c) {
        int epoch = ++cluster.electionEpoch;
        byte[] text = Integer.toString(epoch).getBytes(StandardCharsets.UTF_8);
        Node current = cluster.nodes.get(CONTROLLER_EPOCH);
        int version = write(CONTROLLER_EPOCH, text, current == null ? ABSENT : current.version);
        c.fence = new Op.Check(CONTROLLER_EPOCH, version);
        remove(CONTROLLER, ANY_VERSION);
        write(CONTROLLER, ("{\"version\":1,\"brokerid\":" + c.brokerId + ",\"timestamp\":\""
                + System.currentTimeMillis() + "\"}").getBytes(StandardCharsets.UTF_8), ABSENT, c.session());
        cluster.callbacks.execute(() -> c.listener.elected(epoch));
    }

    private void withdraw(Candidate c) {
        boolean wasController = cluster.candidates.peekFirst() == c;
        cluster.candidates.remove(c);
        if (wasController) {
            remove(CONTROLLER, ANY_VERSION);
            cluster.callbacks.execute(c.listener::resigned);
            Candidate next = cluster.candidates.peekFirst();
            if (next != null) {
                elect(next);
            }
        }
    }

    /**
     * What a ZooKeeper session expiry does to this session: its broker registrations and
     * candidacies end (a controller resigns, another candidate is elected), then the session is
     * renewed: the brokers register again with new epochs, the candidates rejoin at the back of
     * the line, and every watch of the session is called to re-read.
     */
    public void expireSession() {
        synchronized (cluster) {
            for (Registered r : registered) {
                unpublish(r);
                r.tell(SessionListener::expired);
            }
            removeEphemerals();
            for (Candidate c : candidacies) {
                withdraw(c);
            }
            for (Registered r : registered) {
                publish(r);
                long epoch = r.epoch;
                r.tell(l -> l.registered(epoch));
            }
            for (Candidate c : candidacies) {
                join(c);
            }
            for (WatchEntry w : cluster.watches) {
                if (w.owner() == this) {
                    fire(w);
                }
            }
        }
    }

    /**
     * Drops the connection for a moment without ending the session: the session's watches miss
     * what changes meanwhile, then, reconnected, are all called to re-read (as Curator's
     * persistent watches are on reconnecting).
     */
    public void dropConnection() {
        disconnected = true;
        synchronized (cluster) {
            registered.forEach(r -> r.tell(SessionListener::suspended));
        }
        CompletableFuture.delayedExecutor(RECONNECT_MS, TimeUnit.MILLISECONDS).execute(() -> {
            synchronized (cluster) {
                disconnected = false;
                for (WatchEntry w : cluster.watches) {
                    if (w.owner() == this) {
                        fire(w);
                    }
                }
            }
        });
    }

    /** Deletes the ephemeral nodes this session created with {@link #transact}. */
    private void removeEphemerals() {
        List<String> mine = new ArrayList<>();
        cluster.nodes.forEach((path, node) -> {
            if (node.owner == this) {
                mine.add(path);
            }
        });
        mine.forEach(path -> remove(path, ANY_VERSION));
    }

    /** Returns once every callback queued so far has run. */
    public void awaitCallbacks() throws Exception {
        cluster.callbacks.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    /** Open watches of every session of the cluster. */
    public int watchCount() {
        return cluster.watches.size();
    }

    /** Ends the session: its registrations, candidacies and watches go; the last session stops the callbacks. */
    @Override
    public void close() {
        synchronized (cluster) {
            if (closed) {
                return;
            }
            closed = true;
            for (Registered r : registered) {
                unpublish(r);
            }
            registered.clear();
            removeEphemerals();
            for (Candidate c : new ArrayList<>(candidacies)) {
                withdraw(c);
            }
            candidacies.clear();
            cluster.watches.removeIf(w -> w.owner() == this);
            if (--cluster.openSessions == 0) {
                cluster.callbacks.shutdown();
            }
        }
    }

}
