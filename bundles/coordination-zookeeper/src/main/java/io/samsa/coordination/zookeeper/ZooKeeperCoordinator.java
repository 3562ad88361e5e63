package io.samsa.coordination.zookeeper;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.kafka.common.Uuid;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
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
import io.samsa.api.coordination.TransactResult;
import io.samsa.api.coordination.Watch;

/**
 * Cluster coordination on ZooKeeper, in a tree laid out like Kafka 2.x's: /brokers/ids,
 * /controller, /controller_epoch, /cluster/id. With no {@code zookeeper.connect} it connects to
 * the embedded server ({@link EmbeddedZooKeeperComponent}), a component of its own so that
 * reconfiguring this one reconnects without stopping the server.
 */
@Component(service = Coordinator.class, configurationPid = ZooKeeperCoordinator.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Coordinator.TYPE_PROPERTY + "=" + ZooKeeperCoordinator.TYPE)
@Designate(ocd = ZooKeeperCoordinator.Config.class)
public final class ZooKeeperCoordinator implements Coordinator, CuratorSession.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperCoordinator.class);
    public static final String PID = "io.samsa.coordination.zookeeper";
    public static final String TYPE = "zookeeper";
    static final String CLUSTER_ID = "/cluster/id";

    @ObjectClassDefinition(id = PID, name = "Samsa ZooKeeper coordination",
            description = "Cluster metadata, broker registry and controller election on ZooKeeper")
    public @interface Config {
        @AttributeDefinition(name = "zookeeper.connect", required = false,
                description = "host:port[,host:port...][/chroot] of the ZooKeeper ensemble; empty uses the embedded"
                        + " ZooKeeper server (" + EmbeddedZooKeeperComponent.PID + ")")
        String zookeeper_connect() default "";

        @AttributeDefinition(name = "zookeeper.session.timeout.ms",
                description = "ZooKeeper session timeout: how long a silent broker stays registered")
        int zookeeper_session_timeout_ms() default 18000;

        @AttributeDefinition(name = "zookeeper.connection.timeout.ms",
                description = "How long to wait for a ZooKeeper connection before an operation fails")
        int zookeeper_connection_timeout_ms() default 18000;
    }

    /** The configuration, as plain values. */
    public record Settings(String connect, int sessionTimeoutMs, int connectionTimeoutMs) {

        public static Settings of(Config config) {
            return new Settings(config.zookeeper_connect(), config.zookeeper_session_timeout_ms(),
                    config.zookeeper_connection_timeout_ms());
        }

        /** These settings, connecting to {@code embedded} when zookeeper.connect is empty. */
        Settings orEmbedded(EmbeddedZooKeeperServer embedded) {
            if (connect != null && !connect.isBlank()) {
                return this;
            }
            if (embedded == null) {
                throw new CoordinationException("zookeeper.connect is empty and no embedded ZooKeeper server runs;"
                        + " set zookeeper.connect, or check the configuration " + EmbeddedZooKeeperComponent.PID);
            }
            return new Settings(embedded.connectString(), sessionTimeoutMs, connectionTimeoutMs);
        }
    }

    private final CuratorSession session;
    private final ExecutorService events;
    private final ZNodeStore store;
    private final BrokerRegistry brokers;
    private final Set<ControllerElection> elections = ConcurrentHashMap.newKeySet();
    private final Set<CuratorWatch> watches = ConcurrentHashMap.newKeySet();
    private final String clusterId;
    private volatile Thread eventsThread;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * The embedded server reference is static and greedy: when the server (re)starts, DS
     * re-creates this component so that it connects to it.
     */
    @Activate
    public ZooKeeperCoordinator(Config config,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            EmbeddedZooKeeperServer embedded) {
        this(Settings.of(config).orEmbedded(embedded));
    }

    public ZooKeeperCoordinator(Settings settings) {
        if (settings.sessionTimeoutMs() <= 0 || settings.connectionTimeoutMs() <= 0) {
            throw new IllegalArgumentException("zookeeper.session.timeout.ms and zookeeper.connection.timeout.ms"
                    + " must be positive: " + settings);
        }
        String connect = settings.connect() == null ? "" : settings.connect().trim();
        session = new CuratorSession(ConnectString.parse(connect), settings.sessionTimeoutMs(),
                settings.connectionTimeoutMs());
        events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "samsa-zookeeper-events");
            t.setDaemon(true);
            eventsThread = t;
            return t;
        });
        store = new ZNodeStore(session);
        brokers = new BrokerRegistry(session, events);
        session.addListener(brokers);
        session.addListener(this);
        try {
            session.start();
            clusterId = loadClusterId();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("ZooKeeper coordination ready at {}, cluster id {}", session.connectString(), clusterId);
    }

    private String loadClusterId() {
        return session.call("read or create " + CLUSTER_ID, client -> {
            while (true) {
                try {
                    return ZNodeJson.parseClusterId(client.getData().forPath(CLUSTER_ID));
                } catch (KeeperException.NoNodeException e) {
                    String fresh = Uuid.randomUuid().toString();
                    if (ZNodeStore.create(client, CLUSTER_ID, ZNodeJson.clusterId(fresh), CreateMode.PERSISTENT)) {
                        LOG.info("Created cluster id {}", fresh);
                    }
                } catch (IllegalArgumentException e) {
                    throw new CoordinationException("Unreadable " + CLUSTER_ID + ": " + e.getMessage(), e);
                }
            }
        });
    }

    /** For tests that need the session itself (to expire it). */
    CuratorSession session() {
        return session;
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
        return store.read(path);
    }

    @Override
    public List<String> children(String path) {
        return store.children(path);
    }

    @Override
    public int compareAndSet(String path, byte[] value, int expectedVersion) {
        return store.compareAndSet(path, value, expectedVersion);
    }

    @Override
    public boolean delete(String path, int expectedVersion) {
        return store.delete(path, expectedVersion);
    }

    @Override
    public TransactResult transact(List<Op> ops) {
        return ZNodeTransaction.run(session, ops);
    }

    @Override
    public BrokerSession registerBroker(BrokerRegistration registration) {
        return brokers.register(registration);
    }

    @Override
    public List<BrokerRegistration> liveBrokers() {
        return brokers.liveBrokers();
    }

    @Override
    public Watch watch(String path, Runnable listener) {
        return arm(new PathWatch(session, path, listener, events, watches::remove));
    }

    @Override
    public Watch watchTree(String root, Consumer<String> changedPath) {
        if (root == null || !root.startsWith("/") || root.length() > 1 && root.endsWith("/")) {
            throw new IllegalArgumentException("watchTree needs an absolute path such as /brokers/topics, not " + root);
        }
        Objects.requireNonNull(changedPath, () -> "watchTree of " + root + " needs a listener");
        return arm(new TreeWatch(session, root, changedPath, events, watches::remove));
    }

    private Watch arm(CuratorWatch watch) {
        watches.add(watch);
        try {
            watch.arm();
        } catch (RuntimeException e) {
            watch.close();
            throw e;
        }
        return watch;
    }

    @Override
    public Election electController(int brokerId, ElectionListener listener) {
        ControllerElection election = new ControllerElection(session, brokerId, listener, events, elections::remove);
        elections.add(election);
        try {
            election.start();
        } catch (RuntimeException e) {
            election.close();
            throw e;
        }
        return election;
    }

    @Override
    public void sessionExpired() {
        elections.forEach(ControllerElection::sessionExpired);
    }

    @Override
    public void sessionRenewed() {
        // nothing: Curator's watchers re-arm themselves and run the next election round
    }

    /**
     * Ends the session, which removes this process's ephemeral nodes (broker registrations,
     * /controller) at once, and tells elected candidates they resigned.
     */
    @Deactivate
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watches.forEach(CuratorWatch::abandon);
        brokers.abandonAll();
        session.close(); // first: it fails calls still waiting for a connection, so nothing below blocks long
        elections.forEach(ControllerElection::abandon);
        events.shutdown();
        if (Thread.currentThread() != eventsThread) {
            try {
                if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("Coordination listeners still running after 5 s; closing anyway");
                    events.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
