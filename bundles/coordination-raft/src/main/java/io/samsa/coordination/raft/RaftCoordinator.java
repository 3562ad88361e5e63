package io.samsa.coordination.raft;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.ratis.client.RaftClient;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * Cluster coordination on a Raft quorum among the brokers themselves (Apache Ratis), with no
 * process to run beside them. As a component it runs this broker's voter ({@link RaftNode}) and
 * one session on it; tests open more sessions on one node, as more broker processes would.
 * <p>
 * A session is a log entry; it lives while its heartbeats (log entries too) reach the leader
 * within {@code broker.session.timeout.ms}; the leader expires a silent one by writing that into
 * the log, which removes its brokers, ephemeral nodes and candidacies on every node alike. Watches
 * and election events come from the entries the local node applies, in log order, so a watcher
 * misses nothing across a change of Raft leader; when the node's state is replaced by a snapshot
 * they are told to re-read. Reads are linearizable (Raft ReadIndex).
 */
@Component(service = Coordinator.class, configurationPid = RaftCoordinator.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Coordinator.TYPE_PROPERTY + "=" + RaftCoordinator.TYPE)
@Designate(ocd = RaftCoordinator.Config.class)
public final class RaftCoordinator implements Coordinator, RaftNode.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(RaftCoordinator.class);
    public static final String PID = "io.samsa.coordination.raft";
    public static final String TYPE = "raft";
    static final String CLUSTER_ID = "/cluster/id";
    private static final Pattern CLUSTER_ID_JSON = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    @ObjectClassDefinition(id = PID, name = "Samsa Raft coordination",
            description = "Cluster metadata, broker registry and controller election in a Raft quorum of the brokers"
                    + " (Apache Ratis), as Kafka's KRaft voters are configured")
    public @interface Config {
        @AttributeDefinition(name = "node.id", description = "This node's id among controller.quorum.voters")
        int node_id() default 1;

        @AttributeDefinition(name = "controller.quorum.voters", required = false,
                description = "The voters, id@host:port,...; empty: this node alone, at 127.0.0.1:9094")
        String controller_quorum_voters() default "";

        @AttributeDefinition(name = "metadata.log.dir",
                description = "Directory of this node's Raft log and metadata snapshots")
        String metadata_log_dir() default "data/metadata";

        @AttributeDefinition(name = "broker.session.timeout.ms",
                description = "How long a broker stays registered without a heartbeat reaching the quorum leader")
        int broker_session_timeout_ms() default 9000;

        @AttributeDefinition(name = "broker.heartbeat.interval.ms",
                description = "How often a broker's session sends a heartbeat through the Raft log")
        int broker_heartbeat_interval_ms() default 2000;

        @AttributeDefinition(name = "controller.quorum.election.timeout.ms",
                description = "How long a voter waits to hear from a leader before it starts an election (the"
                        + " least of a random timeout up to twice this)")
        int controller_quorum_election_timeout_ms() default 1000;

        @AttributeDefinition(name = "controller.quorum.request.timeout.ms",
                description = "How long an operation waits for the quorum before it fails")
        int controller_quorum_request_timeout_ms() default 10000;

        /** Samsa's own key: Kafka counts bytes between snapshots, Ratis counts entries. */
        @AttributeDefinition(name = "samsa.raft.snapshot.entries",
                description = "Log entries applied after which the node writes a snapshot and purges its log")
        long samsa_raft_snapshot_entries() default 10000;
    }

    /** The configuration of one session on a node. */
    public record SessionSettings(int sessionTimeoutMs, int heartbeatIntervalMs) {
        public SessionSettings {
            if (sessionTimeoutMs <= 0 || heartbeatIntervalMs <= 0 || heartbeatIntervalMs >= sessionTimeoutMs) {
                throw new IllegalArgumentException("broker.heartbeat.interval.ms (" + heartbeatIntervalMs
                        + ") must be positive and below broker.session.timeout.ms (" + sessionTimeoutMs + ")");
            }
        }
    }

    static RaftNode.Settings nodeSettings(Config config) {
        String voters = config.controller_quorum_voters();
        QuorumVoters quorum = QuorumVoters.parse(voters == null || voters.isBlank()
                ? config.node_id() + "@127.0.0.1:9094" : voters);
        return new RaftNode.Settings(config.node_id(), quorum, Path.of(config.metadata_log_dir()),
                config.controller_quorum_election_timeout_ms(), config.controller_quorum_request_timeout_ms(),
                config.samsa_raft_snapshot_entries());
    }

    private final RaftNode node;
    private final boolean ownsNode;
    private final SessionSettings sessionSettings;
    private volatile RaftClient client;
    private volatile long sessionId;
    /** When the heartbeat (or session opening) last acknowledged was sent: the lease counts from it. */
    private volatile long lastAckedSendNanos;
    private volatile boolean heartbeatsPaused;
    private volatile boolean closed;
    private final ScheduledExecutorService heartbeats;
    private final Set<Registered> registered = ConcurrentHashMap.newKeySet();
    private final Set<Candidacy> candidacies = ConcurrentHashMap.newKeySet();
    private final Set<LocalWatch> watches = ConcurrentHashMap.newKeySet();
    /** Candidacies by their id in the replicated state; only touched on the event thread. */
    private final Map<Long, Candidacy> candidaciesById = new HashMap<>();
    /** Election events for ids of this session not yet known here; only touched on the event thread. */
    private final Map<Long, List<Consumer<Candidacy>>> earlyElectionEvents = new HashMap<>();
    private final String clusterId;

    @Activate
    public RaftCoordinator(Config config) {
        this(new RaftNode(nodeSettings(config)), true,
                new SessionSettings(config.broker_session_timeout_ms(), config.broker_heartbeat_interval_ms()));
    }

    /** A session on {@code node}, which stays up when the session closes unless {@code ownsNode}. */
    RaftCoordinator(RaftNode node, boolean ownsNode, SessionSettings sessionSettings) {
        this.node = node;
        this.ownsNode = ownsNode;
        this.sessionSettings = sessionSettings;
        this.client = node.newClient();
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "samsa-raft-heartbeat-" + node.nodeId());
            t.setDaemon(true);
            return t;
        });
        try {
            node.addListener(this);
            sessionId = openSession();
            clusterId = loadClusterId();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        heartbeats.scheduleWithFixedDelay(this::heartbeat, sessionSettings.heartbeatIntervalMs(),
                sessionSettings.heartbeatIntervalMs(), TimeUnit.MILLISECONDS);
        LOG.info("Raft coordination session {} on node {}, cluster id {}", sessionId, node.nodeId(), clusterId);
    }

    private long openSession() {
        long sent = System.nanoTime();
        long id = Codec.decode(send(Codec.encode(out -> {
            out.writeByte(Codec.OPEN_SESSION);
            out.writeInt(sessionSettings.sessionTimeoutMs());
        }), "open a session"), java.io.DataInput::readLong);
        lastAckedSendNanos = sent;
        return id;
    }

    private String loadClusterId() {
        while (true) {
            Optional<Versioned> current = read(CLUSTER_ID);
            if (current.isPresent()) {
                Matcher m = CLUSTER_ID_JSON.matcher(new String(current.get().value(), UTF_8));
                if (!m.find()) {
                    throw new CoordinationException("Unreadable " + CLUSTER_ID + ": "
                            + new String(current.get().value(), UTF_8));
                }
                return m.group(1);
            }
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            if (compareAndSet(CLUSTER_ID, ("{\"version\":\"1\",\"id\":\"" + fresh + "\"}").getBytes(UTF_8),
                    ABSENT) >= 0) {
                LOG.info("Created cluster id {}", fresh);
            }
        }
    }

    private byte[] send(byte[] command, String what) {
        checkOpen();
        return node.send(client, command, what);
    }

    private byte[] query(byte[] query, String what) {
        checkOpen();
        return node.query(client, query, what);
    }

    private void checkOpen() {
        if (closed) {
            throw new CoordinationException("The Raft coordination session on node " + node.nodeId() + " is closed");
        }
    }

    private static void requirePath(String what, String path) {
        if (path == null || !path.startsWith("/") || path.length() > 1 && path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException(what + " needs an absolute path such as /brokers/topics, not a relative"
                    + " or malformed one: " + path);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public Optional<Versioned> read(String path) {
        requirePath("read", path);
        return Codec.decode(query(Codec.encode(out -> {
            out.writeByte(Codec.READ);
            out.writeUTF(path);
        }), "read " + path), in -> in.readBoolean()
                ? Optional.of(new Versioned(Codec.readBytes(in), in.readInt())) : Optional.empty());
    }

    @Override
    public List<String> children(String path) {
        requirePath("children", path);
        return Codec.decode(query(Codec.encode(out -> {
            out.writeByte(Codec.CHILDREN);
            out.writeUTF(path);
        }), "list the children of " + path), in -> {
            List<String> names = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                names.add(in.readUTF());
            }
            return names;
        });
    }

    @Override
    public int compareAndSet(String path, byte[] value, int expectedVersion) {
        requirePath("compareAndSet", path);
        if ("/".equals(path)) {
            throw new IllegalArgumentException("compareAndSet cannot write the root node /");
        }
        Objects.requireNonNull(value, () -> "compareAndSet of " + path + " needs a value");
        if (expectedVersion < ABSENT) {
            throw new IllegalArgumentException("compareAndSet of " + path + ": expectedVersion must be a version or"
                    + " ABSENT (-1), not " + expectedVersion);
        }
        return Codec.decode(send(Codec.encode(out -> {
            out.writeByte(Codec.COMPARE_AND_SET);
            out.writeUTF(path);
            Codec.writeBytes(out, value);
            out.writeInt(expectedVersion);
        }), "write " + path), java.io.DataInput::readInt);
    }

    @Override
    public boolean delete(String path, int expectedVersion) {
        requirePath("delete", path);
        if ("/".equals(path)) {
            throw new IllegalArgumentException("The root node / cannot be deleted");
        }
        return Codec.decode(send(Codec.encode(out -> {
            out.writeByte(Codec.DELETE);
            out.writeUTF(path);
            out.writeInt(expectedVersion);
        }), "delete " + path), java.io.DataInput::readBoolean);
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
        long session = sessionId;
        return Codec.decode(send(Codec.encode(out -> {
            out.writeByte(Codec.TRANSACT);
            out.writeLong(session);
            Codec.writeOps(out, ops);
        }), "apply a transaction of " + ops.size() + " ops"), Codec::readResult);
    }

    // --- sessions and brokers ---

    private void heartbeat() {
        if (closed || heartbeatsPaused) {
            return;
        }
        long session = sessionId;
        long sent = System.nanoTime();
        try {
            boolean live = Codec.decode(send(Codec.encode(out -> {
                out.writeByte(Codec.HEARTBEAT);
                out.writeLong(session);
            }), "send a heartbeat"), java.io.DataInput::readBoolean);
            if (live) {
                if (session == sessionId) {
                    lastAckedSendNanos = sent;
                }
            } else {
                node.onEventThread(() -> renew(session));
            }
        } catch (CoordinationException e) {
            if (!closed) {
                LOG.warn("Heartbeat of session {} failed: {}", session, e.getMessage());
                node.onEventThread(() -> registered.forEach(r -> r.tell(SessionListener::suspended)));
            }
        }
    }

    /**
     * After {@code ended} expired: a new session, in which this process's brokers register again
     * (new epochs) and its candidates rejoin; every watch re-reads. Runs on the event thread, so
     * the events of the new session queue behind it.
     */
    private void renew(long ended) {
        if (closed || ended != sessionId) {
            return;
        }
        LOG.info("Raft coordination session {} on node {} expired; opening a new one", ended, node.nodeId());
        registered.forEach(r -> {
            r.epoch = 0;
            r.tell(SessionListener::expired);
        });
        while (!closed) {
            try {
                sessionId = openSession();
                break;
            } catch (CoordinationException e) {
                LOG.warn("Could not open a new Raft coordination session on node {}: {}", node.nodeId(),
                        e.getMessage());
            }
        }
        for (Registered r : registered) {
            try {
                r.publish();
                long epoch = r.epoch;
                r.tell(l -> l.registered(epoch));
            } catch (CoordinationException e) {
                LOG.warn("Broker {} could not register again: {}", r.registration.brokerId(), e.getMessage());
            }
        }
        for (Candidacy c : candidacies) {
            try {
                c.join();
            } catch (CoordinationException e) {
                LOG.warn("Broker {} could not rejoin the controller election: {}", c.brokerId, e.getMessage());
            }
        }
        watches.forEach(LocalWatch::resync);
    }

    @Override
    public BrokerSession registerBroker(BrokerRegistration registration) {
        if (registration.brokerId() < 0) {
            throw new IllegalArgumentException("broker.id must not be negative: " + registration.brokerId());
        }
        Registered r = new Registered(registration);
        r.publish();
        registered.add(r);
        return r;
    }

    @Override
    public List<BrokerRegistration> liveBrokers() {
        return Codec.decode(query(new byte[] { Codec.LIVE_BROKERS }, "list the live brokers"), in -> {
            List<BrokerRegistration> live = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                long epoch = in.readLong();
                live.add(Codec.registration(Codec.readBytes(in), epoch));
            }
            return live;
        });
    }

    private final class Registered implements BrokerSession {
        final BrokerRegistration registration;
        final CopyOnWriteArrayList<SessionListener> listeners = new CopyOnWriteArrayList<>();
        volatile long epoch;
        volatile boolean unregistered;

        Registered(BrokerRegistration registration) {
            this.registration = registration;
        }

        void publish() {
            long session = sessionId;
            long assigned = Codec.decode(send(Codec.encode(out -> {
                out.writeByte(Codec.REGISTER);
                out.writeLong(session);
                out.writeInt(registration.brokerId());
                Codec.writeBytes(out, Codec.registration(registration));
            }), "register broker " + registration.brokerId()), java.io.DataInput::readLong);
            if (assigned == -1) {
                throw new CoordinationException("Broker id " + registration.brokerId()
                        + " is already registered by a live session");
            }
            if (assigned < 0) {
                throw new CoordinationException("Broker " + registration.brokerId() + " could not register: session "
                        + session + " has expired");
            }
            epoch = assigned;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public long leaseValidUntilNanos() {
            if (closed || unregistered || epoch == 0) {
                return System.nanoTime() - 1;
            }
            return lastAckedSendNanos + TimeUnit.MILLISECONDS.toNanos(sessionSettings.sessionTimeoutMs());
        }

        @Override
        public void addListener(SessionListener listener) {
            Objects.requireNonNull(listener, "listener");
            node.onEventThread(() -> {
                if (listeners.addIfAbsent(listener) && !unregistered && epoch > 0) {
                    listener.registered(epoch);
                }
            });
        }

        @Override
        public void removeListener(SessionListener listener) {
            listeners.remove(listener);
        }

        void tell(Consumer<SessionListener> event) {
            if (!unregistered) {
                listeners.forEach(event);
            }
        }

        @Override
        public void close() {
            if (unregistered) {
                return;
            }
            unregistered = true;
            registered.remove(this);
            if (!closed) {
                long session = sessionId;
                send(Codec.encode(out -> {
                    out.writeByte(Codec.UNREGISTER);
                    out.writeLong(session);
                    out.writeInt(registration.brokerId());
                }), "unregister broker " + registration.brokerId());
            }
        }
    }

    // --- watches ---

    @Override
    public Watch watch(String path, Runnable listener) {
        requirePath("watch", path);
        Objects.requireNonNull(listener, () -> "watch of " + path + " needs a listener");
        return arm(new LocalWatch(path, listener, null));
    }

    @Override
    public Watch watchTree(String root, Consumer<String> changedPath) {
        requirePath("watchTree", root);
        Objects.requireNonNull(changedPath, () -> "watchTree of " + root + " needs a listener");
        return arm(new LocalWatch(root, null, changedPath));
    }

    private Watch arm(LocalWatch w) {
        checkOpen();
        watches.add(w);
        w.resync();
        return w;
    }

    /** A watch fed by the entries the local node applies. */
    private final class LocalWatch implements Watch {
        final String path;
        final Runnable listener;
        final Consumer<String> tree;

        LocalWatch(String path, Runnable listener, Consumer<String> tree) {
            this.path = path;
            this.listener = listener;
            this.tree = tree;
        }

        /** Queues a call to re-read everything: the first one, and after anything may have been missed. */
        void resync() {
            node.onEventThread(() -> call(null));
        }

        /** On the event thread: {@code changed} was created, changed or deleted. */
        void changed(String changed, boolean membership) {
            if (tree != null) {
                if (changed.equals(path) || "/".equals(path) || changed.startsWith(path + "/")) {
                    call(changed);
                }
                return;
            }
            int slash = changed.lastIndexOf('/');
            String parent = slash > 0 ? changed.substring(0, slash) : "/";
            if (path.equals(changed) || membership && path.equals(parent) || path.startsWith(changed + "/")) {
                call(changed);
            }
        }

        private void call(String changed) {
            if (!watches.contains(this)) {
                return;
            }
            try {
                if (tree != null) {
                    tree.accept(changed);
                } else {
                    listener.run();
                }
            } catch (RuntimeException e) {
                LOG.warn("Watch of {} failed", path, e);
            }
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }

    // --- controller election ---

    @Override
    public Election electController(int brokerId, ElectionListener listener) {
        Objects.requireNonNull(listener, "listener");
        Candidacy c = new Candidacy(brokerId, listener);
        candidacies.add(c);
        try {
            c.join();
        } catch (RuntimeException e) {
            candidacies.remove(c);
            throw e;
        }
        return c;
    }

    private final class Candidacy implements Election {
        final int brokerId;
        final ElectionListener listener;
        /** Its id in the replicated state; changes when it rejoins in a new session. */
        volatile long id;
        volatile boolean elected;
        volatile Op fence;
        volatile boolean withdrawn;

        Candidacy(int brokerId, ElectionListener listener) {
            this.brokerId = brokerId;
            this.listener = listener;
        }

        void join() {
            long session = sessionId;
            long assigned = Codec.decode(send(Codec.encode(out -> {
                out.writeByte(Codec.JOIN);
                out.writeLong(session);
                out.writeInt(brokerId);
            }), "join the controller election as broker " + brokerId), java.io.DataInput::readLong);
            if (assigned < 0) {
                throw new CoordinationException("Broker " + brokerId + " could not join the controller election:"
                        + " session " + session + " has expired");
            }
            Runnable learn = () -> {
                id = assigned;
                candidaciesById.put(assigned, this);
                List<Consumer<Candidacy>> early = earlyElectionEvents.remove(assigned);
                if (early != null) {
                    early.forEach(e -> e.accept(this));
                }
            };
            if (node.isEventThread()) {
                learn.run();
            } else {
                node.onEventThread(learn);
            }
        }

        void elected(int epoch, int fenceVersion) {
            if (withdrawn) {
                return;
            }
            fence = new Op.Check(MetadataTree.CONTROLLER_EPOCH, fenceVersion);
            elected = true;
            listener.elected(epoch);
        }

        void resigned() {
            if (elected) {
                elected = false;
                listener.resigned();
            }
        }

        @Override
        public OptionalInt controllerId() {
            int id = Codec.decode(query(new byte[] { Codec.CONTROLLER }, "read the controller"),
                    java.io.DataInput::readInt);
            return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
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
            if (withdrawn) {
                return;
            }
            candidacies.remove(this);
            long candidate = id;
            try {
                if (!closed) {
                    send(Codec.encode(out -> {
                        out.writeByte(Codec.WITHDRAW);
                        out.writeLong(candidate);
                    }), "withdraw broker " + brokerId + " from the controller election");
                }
            } finally {
                node.onEventThread(this::abandon);
            }
        }

        /** On the event thread: no more events; a controller resigns. */
        void abandon() {
            resigned();
            withdrawn = true;
            candidaciesById.values().remove(this);
        }
    }

    // --- events of the local node ---

    @Override
    public void changed(String path, boolean membership) {
        for (LocalWatch w : watches) {
            w.changed(path, membership);
        }
    }

    @Override
    public void elected(long candidate, long session, int epoch, int fenceVersion) {
        onCandidate(candidate, session, c -> c.elected(epoch, fenceVersion));
    }

    @Override
    public void resigned(long candidate, long session) {
        onCandidate(candidate, session, Candidacy::resigned);
    }

    private void onCandidate(long candidate, long session, Consumer<Candidacy> event) {
        Candidacy c = candidaciesById.get(candidate);
        if (c != null) {
            event.accept(c);
        } else if (session == sessionId && !closed) {
            earlyElectionEvents.computeIfAbsent(candidate, k -> new ArrayList<>()).add(event);
        }
    }

    @Override
    public void sessionEnded(long session, boolean expired) {
        if (session == sessionId && !closed) {
            renew(session);
        }
    }

    @Override
    public void reloaded() {
        watches.forEach(w -> w.call(null));
    }

    // --- for tests ---

    RaftNode node() {
        return node;
    }

    long sessionId() {
        return sessionId;
    }

    /** Expires this session through the log, as the leader does when heartbeats stop. */
    void expireNow() {
        long session = sessionId;
        send(Codec.encode(out -> {
            out.writeByte(Codec.EXPIRE_SESSION);
            out.writeLong(session);
        }), "expire session " + session);
    }

    /** Stops (or resumes) the heartbeats, as a paused process's stop. */
    void pauseHeartbeats(boolean paused) {
        heartbeatsPaused = paused;
    }

    /**
     * Drops the connection to the quorum and opens a new one; meanwhile the brokers are
     * suspended, and afterwards every watch re-reads.
     */
    void dropConnection() {
        RaftClient old = client;
        node.onEventThread(() -> registered.forEach(r -> r.tell(SessionListener::suspended)));
        client = node.newClient();
        try {
            old.close();
        } catch (IOException e) {
            LOG.debug("Closing a dropped Raft client", e);
        }
        watches.forEach(LocalWatch::resync);
    }

    /**
     * Ends the session, which removes this process's brokers and ephemeral nodes on every node at
     * once, and tells elected candidates they resigned.
     */
    @Deactivate
    public void close() {
        if (closed) {
            return;
        }
        heartbeats.shutdownNow();
        watches.clear();
        long session = sessionId;
        if (session > 0) {
            try {
                send(Codec.encode(out -> {
                    out.writeByte(Codec.CLOSE_SESSION);
                    out.writeLong(session);
                }), "close session " + session);
            } catch (CoordinationException e) {
                LOG.warn("Could not close session {}; the leader expires it: {}", session, e.getMessage());
            }
        }
        closed = true;
        CountDownLatch done = new CountDownLatch(1);
        Runnable finish = () -> {
            candidacies.forEach(Candidacy::abandon);
            watches.clear();
            node.removeListener(this);
            done.countDown();
        };
        if (node.isEventThread()) {
            finish.run();
        } else {
            node.onEventThread(finish);
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("Closing the Raft client", e);
        }
        if (ownsNode) {
            node.close();
        }
    }
}
