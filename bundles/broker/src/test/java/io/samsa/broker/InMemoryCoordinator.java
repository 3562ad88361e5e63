package io.samsa.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.coordination.Watch;

/**
 * A coordinator in one process for tests: a map of path to (value, version), children by
 * prefix, watch callbacks on one separate thread, and an election among the candidates in the
 * order they joined.
 */
final class InMemoryCoordinator implements Coordinator, AutoCloseable {

    private record Node(byte[] value, int version) {
    }

    private final Map<String, Node> nodes = new TreeMap<>();
    private final Map<Integer, BrokerRegistration> brokers = new TreeMap<>();
    private final List<WatchEntry> watches = new CopyOnWriteArrayList<>();
    private final Deque<Candidate> candidates = new ArrayDeque<>();
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "in-memory-coordinator");
        t.setDaemon(true);
        return t;
    });
    private long registrations;
    private int electionEpoch;
    private volatile boolean reachable = true;

    private final class WatchEntry implements Watch {
        final String path;
        final Runnable listener;

        WatchEntry(String path, Runnable listener) {
            this.path = path;
            this.listener = listener;
        }

        @Override
        public void close() {
            watches.remove(this);
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
            synchronized (InMemoryCoordinator.this) {
                Candidate c = candidates.peekFirst();
                return c == null ? OptionalInt.empty() : OptionalInt.of(c.brokerId);
            }
        }

        @Override
        public void close() {
            synchronized (InMemoryCoordinator.this) {
                boolean wasController = candidates.peekFirst() == this;
                candidates.remove(this);
                if (wasController) {
                    callbacks.execute(listener::resigned);
                    Candidate next = candidates.peekFirst();
                    if (next != null) {
                        int epoch = ++electionEpoch;
                        callbacks.execute(() -> next.listener.elected(epoch));
                    }
                }
            }
        }
    }

    /** Makes every call fail as an unreachable quorum would. */
    void setReachable(boolean reachable) {
        this.reachable = reachable;
    }

    private void check() {
        if (!reachable) {
            throw new CoordinationException("in-memory coordinator is unreachable");
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
    public synchronized Optional<Versioned> read(String path) {
        check();
        Node n = nodes.get(path);
        return n == null ? Optional.empty() : Optional.of(new Versioned(n.value, n.version));
    }

    @Override
    public synchronized List<String> children(String path) {
        check();
        String prefix = path + "/";
        List<String> out = new ArrayList<>();
        for (String p : nodes.keySet()) {
            if (p.startsWith(prefix) && p.indexOf('/', prefix.length()) < 0) {
                out.add(p.substring(prefix.length()));
            }
        }
        return out;
    }

    @Override
    public synchronized int compareAndSet(String path, byte[] value, int expectedVersion) {
        check();
        Node n = nodes.get(path);
        if (expectedVersion == ABSENT ? n != null : n == null || n.version != expectedVersion) {
            return -1;
        }
        createParents(path);
        int version = n == null ? 0 : n.version + 1;
        nodes.put(path, new Node(value.clone(), version));
        changed(path, n == null);
        return version;
    }

    private void createParents(String path) {
        int slash = path.lastIndexOf('/');
        if (slash <= 0) {
            return;
        }
        String parent = path.substring(0, slash);
        if (!nodes.containsKey(parent)) {
            createParents(parent);
            nodes.put(parent, new Node(new byte[0], 0));
            changed(parent, true);
        }
    }

    @Override
    public synchronized boolean delete(String path, int expectedVersion) {
        check();
        Node n = nodes.get(path);
        if (n == null || expectedVersion != ANY_VERSION && n.version != expectedVersion) {
            return false;
        }
        nodes.keySet().removeIf(p -> p.equals(path) || p.startsWith(path + "/"));
        changed(path, true);
        return true;
    }

    /** Fires the watches of {@code path} and, when it appeared or vanished, of its parent. */
    private void changed(String path, boolean membership) {
        int slash = path.lastIndexOf('/');
        String parent = slash > 0 ? path.substring(0, slash) : null;
        for (WatchEntry w : watches) {
            if (w.path.equals(path) || membership && w.path.equals(parent)
                    || w.path.startsWith(path + "/")) {
                callbacks.execute(() -> {
                    if (watches.contains(w)) {
                        w.listener.run();
                    }
                });
            }
        }
    }

    @Override
    public synchronized BrokerSession registerBroker(BrokerRegistration registration) {
        check();
        int id = registration.brokerId();
        if (brokers.containsKey(id)) {
            throw new CoordinationException("Broker id " + id + " is already registered");
        }
        long epoch = ++registrations;
        brokers.put(id, new BrokerRegistration(id, registration.host(), registration.port(), registration.rack(),
                epoch));
        compareAndSet("/brokers/ids/" + id, new byte[0], ABSENT);
        return new BrokerSession() {
            @Override
            public long epoch() {
                return epoch;
            }

            @Override
            public void close() {
                synchronized (InMemoryCoordinator.this) {
                    brokers.remove(id);
                    delete("/brokers/ids/" + id, ANY_VERSION);
                }
            }
        };
    }

    @Override
    public synchronized List<BrokerRegistration> liveBrokers() {
        check();
        return List.copyOf(brokers.values());
    }

    @Override
    public Watch watch(String path, Runnable listener) {
        check();
        WatchEntry w = new WatchEntry(path, listener);
        watches.add(w);
        callbacks.execute(() -> {
            if (watches.contains(w)) {
                listener.run();
            }
        });
        return w;
    }

    @Override
    public synchronized Election electController(int brokerId, ElectionListener listener) {
        check();
        Candidate c = new Candidate(brokerId, listener);
        candidates.addLast(c);
        if (candidates.peekFirst() == c) {
            int epoch = ++electionEpoch;
            callbacks.execute(() -> listener.elected(epoch));
        }
        return c;
    }

    /** Returns once every watch callback queued so far has run. */
    void awaitCallbacks() throws Exception {
        callbacks.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    int watchCount() {
        return watches.size();
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
    }
}
