package io.samsa.coordination.zookeeper;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.Uuid;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
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
import io.samsa.api.coordination.Watch;

/**
 * Cluster coordination on ZooKeeper, in a tree laid out like Kafka 2.x's: /brokers/ids,
 * /controller, /controller_epoch, /cluster/id. With no {@code zookeeper.connect} it runs an
 * embedded standalone ZooKeeper server on the loopback interface, for a single-node cluster.
 */
@Component(service = Coordinator.class, configurationPid = ZooKeeperCoordinator.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Coordinator.TYPE_PROPERTY + "=" + ZooKeeperCoordinator.TYPE)
@Designate(ocd = ZooKeeperCoordinator.Config.class)
public final class ZooKeeperCoordinator implements Coordinator, ZooKeeperSession.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperCoordinator.class);
    public static final String PID = "io.samsa.coordination.zookeeper";
    public static final String TYPE = "zookeeper";
    static final String CLUSTER_ID = "/cluster/id";

    @ObjectClassDefinition(id = PID, name = "Samsa ZooKeeper coordination",
            description = "Cluster metadata, broker registry and controller election on ZooKeeper")
    public @interface Config {
        @AttributeDefinition(name = "zookeeper.connect", required = false,
                description = "host:port[,host:port...][/chroot] of the ZooKeeper ensemble; empty starts an"
                        + " embedded ZooKeeper server on 127.0.0.1")
        String zookeeper_connect() default "";

        @AttributeDefinition(name = "zookeeper.embedded.port", description = "Client port of the embedded server")
        int zookeeper_embedded_port() default 2181;

        @AttributeDefinition(name = "zookeeper.embedded.dir", description = "Data directory of the embedded server")
        String zookeeper_embedded_dir() default "data/zookeeper";

        @AttributeDefinition(name = "zookeeper.session.timeout.ms",
                description = "ZooKeeper session timeout: how long a silent broker stays registered")
        int zookeeper_session_timeout_ms() default 18000;

        @AttributeDefinition(name = "zookeeper.connection.timeout.ms",
                description = "How long to wait for a ZooKeeper connection before an operation fails")
        int zookeeper_connection_timeout_ms() default 18000;
    }

    /** The configuration, as plain values. */
    public record Settings(String connect, int embeddedPort, Path embeddedDir, int sessionTimeoutMs,
            int connectionTimeoutMs) {

        public static Settings of(Config config) {
            return new Settings(config.zookeeper_connect(), config.zookeeper_embedded_port(),
                    Path.of(config.zookeeper_embedded_dir()), config.zookeeper_session_timeout_ms(),
                    config.zookeeper_connection_timeout_ms());
        }

        /** An external ensemble (or an already running server) at {@code connect}. */
        public static Settings external(String connect, int sessionTimeoutMs, int connectionTimeoutMs) {
            return new Settings(connect, 0, null, sessionTimeoutMs, connectionTimeoutMs);
        }
    }

    private final EmbeddedZooKeeperServer server;
    private final ZooKeeperSession session;
    private final ExecutorService events;
    private final ZNodeStore store;
    private final BrokerRegistry brokers;
    private final Set<ControllerElection> elections = ConcurrentHashMap.newKeySet();
    private final Set<PathWatch> watches = ConcurrentHashMap.newKeySet();
    private final String clusterId;
    private volatile Thread eventsThread;
    private final AtomicBoolean closed = new AtomicBoolean();

    @Activate
    public ZooKeeperCoordinator(Config config) {
        this(Settings.of(config));
    }

    public ZooKeeperCoordinator(Settings settings) {
        if (settings.sessionTimeoutMs() <= 0 || settings.connectionTimeoutMs() <= 0) {
            throw new IllegalArgumentException("zookeeper.session.timeout.ms and zookeeper.connection.timeout.ms"
                    + " must be positive: " + settings);
        }
        String connect = settings.connect() == null ? "" : settings.connect().trim();
        server = connect.isEmpty()
                ? EmbeddedZooKeeperServer.start(settings.embeddedPort(), settings.embeddedDir(),
                        settings.sessionTimeoutMs())
                : null;
        session = new ZooKeeperSession(ConnectString.parse(server != null ? server.connectString() : connect),
                settings.sessionTimeoutMs(), settings.connectionTimeoutMs());
        events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "samsa-zookeeper-events");
            t.setDaemon(true);
            eventsThread = t;
            return t;
        });
        store = new ZNodeStore(session);
        brokers = new BrokerRegistry(session);
        try {
            session.start();
            session.addListener(brokers);
            session.addListener(this);
            clusterId = loadClusterId();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("ZooKeeper coordination ready at {}{}, cluster id {}", session.connectString(),
                server != null ? " (embedded server)" : "", clusterId);
    }

    private String loadClusterId() {
        return session.call("read or create " + CLUSTER_ID, zk -> {
            while (true) {
                try {
                    return ZNodeJson.parseClusterId(zk.getData(CLUSTER_ID, false, null));
                } catch (KeeperException.NoNodeException e) {
                    String fresh = Uuid.randomUuid().toString();
                    if (ZNodeStore.create(zk, CLUSTER_ID, ZNodeJson.clusterId(fresh), CreateMode.PERSISTENT)) {
                        LOG.info("Created cluster id {}", fresh);
                    }
                } catch (IllegalArgumentException e) {
                    throw new CoordinationException("Unreadable " + CLUSTER_ID + ": " + e.getMessage(), e);
                }
            }
        });
    }

    /** For tests that need the session itself (to expire it). */
    ZooKeeperSession session() {
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
    public BrokerSession registerBroker(BrokerRegistration registration) {
        return brokers.register(registration);
    }

    @Override
    public List<BrokerRegistration> liveBrokers() {
        return brokers.liveBrokers();
    }

    @Override
    public Watch watch(String path, Runnable listener) {
        PathWatch watch = new PathWatch(session, path, listener, events, watches::remove);
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
            election.run();
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
        elections.forEach(ControllerElection::sessionRenewed);
        for (PathWatch watch : watches) {
            try {
                watch.arm();
            } catch (CoordinationException e) {
                LOG.error("Could not restore the {} in the new ZooKeeper session", watch, e);
            }
        }
    }

    /**
     * Ends the session, which removes this process's ephemeral nodes (broker registrations,
     * /controller) at once, tells elected candidates they resigned, then stops the embedded server.
     */
    @Deactivate
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watches.forEach(PathWatch::abandon);
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
        if (server != null) {
            server.close();
        }
    }
}
