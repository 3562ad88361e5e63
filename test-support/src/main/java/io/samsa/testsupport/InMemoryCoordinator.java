package io.samsa.testsupport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
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

    private record Node(byte[] value, int version) {
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

    private final Cluster cluster;
    private final List<Registered> registered = new ArrayList<>();
    private final List<Candidate> candidacies = new ArrayList<>();
    private volatile boolean reachable = true;
    /** While set, this session's watches miss events, as a ZooKeeper client's do while disconnected. */
    private volatile boolean disconnected;
    private boolean closed;

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

        WatchEntry(String path, Runnable listener) {
            this.path = path;
            this.listener = listener;
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
        volatile long epoch;

        Registered(BrokerRegistration registration) {
            this.registration = registration;
        }

        @Override
        public long epoch() {
            return epoch;
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

        Candidate(int brokerId, ElectionListener listener) {
            this.brokerId = brokerId;
            this.listener = listener;
        }

        @Override
        public OptionalInt controllerId() {
            synchronized (cluster) {
                Candidate c = cluster.candidates.peekFirst();
                return c == null ? OptionalInt.empty() : OptionalInt.of(c.brokerId);
            }
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
        this.reachable = reachable;
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
        Node n = cluster.nodes.get(path);
        if (expectedVersion == ABSENT ? n != null : n == null || n.version != expectedVersion) {
            return -1;
        }
        createParents(path);
        int version = n == null ? 0 : n.version + 1;
        cluster.nodes.put(path, new Node(value.clone(), version));
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
        cluster.nodes.keySet().removeIf(p -> p.equals(path) || p.startsWith(path + "/"));
        changed(path, true);
        return true;
    }

    /** Fires the watches of {@code path}, of its descendants and, when it appeared or vanished, of its parent. */
    private void changed(String path, boolean membership) {
        int slash = path.lastIndexOf('/');
        String parent = slash > 0 ? path.substring(0, slash) : "/";
        for (WatchEntry w : cluster.watches) {
            if (w.path.equals(path) || membership && w.path.equals(parent) || w.path.startsWith(path + "/")) {
                fire(w);
            }
        }
    }

    private void fire(WatchEntry w) {
        if (w.owner().disconnected) {
            return;
        }
        cluster.callbacks.execute(() -> {
            if (cluster.watches.contains(w)) {
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
                BrokerRegistration b = r.registration;
                live.add(new BrokerRegistration(b.brokerId(), b.host(), b.port(), b.rack(), r.epoch));
            }
            return live;
        }
    }

    @Override
    public Watch watch(String path, Runnable listener) {
        synchronized (cluster) {
            check();
            WatchEntry w = new WatchEntry(path, listener);
            cluster.watches.add(w);
            fire(w);
            return w;
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
            int epoch = ++cluster.electionEpoch;
            cluster.callbacks.execute(() -> c.listener.elected(epoch));
        }
    }

    private void withdraw(Candidate c) {
        boolean wasController = cluster.candidates.peekFirst() == c;
        cluster.candidates.remove(c);
        if (wasController) {
            cluster.callbacks.execute(c.listener::resigned);
            Candidate next = cluster.candidates.peekFirst();
            if (next != null) {
                int epoch = ++cluster.electionEpoch;
                cluster.callbacks.execute(() -> next.listener.elected(epoch));
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
            }
            for (Candidate c : candidacies) {
                withdraw(c);
            }
            for (Registered r : registered) {
                publish(r);
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
