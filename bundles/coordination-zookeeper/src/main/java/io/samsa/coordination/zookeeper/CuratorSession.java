package io.samsa.coordination.zookeeper;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;

/**
 * The Curator client of one coordinator: Curator keeps the connection, retries operations across
 * connection losses (for up to the connection timeout) and opens a new session when one expires.
 * What lived in an expired session (ephemeral nodes) is restored by the {@link Listener}s.
 * <p>
 * Follow-up work triggered by ZooKeeper events runs on the single {@link #control()} thread,
 * never on ZooKeeper's event thread, so it may block on ZooKeeper calls.
 */
final class CuratorSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CuratorSession.class);
    private static final int RETRY_PAUSE_MS = 100;

    /** Told about session loss and renewal, on the control thread. */
    interface Listener {
        /** The session (and every ephemeral node in it) is gone. */
        void sessionExpired();

        /** A new session replaced an expired one. */
        void sessionRenewed();
    }

    /** One operation on the client; Curator retries it across connection losses. */
    @FunctionalInterface
    interface Operation<T> {
        T run(CuratorFramework client) throws Exception;
    }

    private final ConnectString connect;
    private final int connectionTimeoutMs;
    private final CuratorFramework client;
    private final ScheduledExecutorService control;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** The session the listeners last saw; touched on the control thread only. */
    private long knownSessionId;

    CuratorSession(ConnectString connect, int sessionTimeoutMs, int connectionTimeoutMs) {
        this.connect = connect;
        this.connectionTimeoutMs = connectionTimeoutMs;
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "samsa-zookeeper-control");
            t.setDaemon(true);
            return t;
        });
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connect.hosts())
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new RetryUntilElapsed(connectionTimeoutMs, RETRY_PAUSE_MS))
                // the default factory's ZKClientConfig links Netty, which the runtime does not ship
                .zookeeperFactory((hosts, timeout, watcher, readOnly) ->
                        new ZooKeeper(hosts, timeout, watcher, readOnly, new NioClientConfig()));
        if (!connect.chroot().isEmpty()) {
            builder.namespace(connect.chroot().substring(1)); // Curator creates it on first use
        }
        client = builder.build();
        client.getConnectionStateListenable().addListener((c, state) -> stateChanged(state), control);
    }

    /** Connects; fails when no server answers within the connection timeout. */
    void start() {
        client.start();
        try {
            if (!client.blockUntilConnected(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
                throw new CoordinationException("Cannot connect to ZooKeeper at " + connect + " within "
                        + connectionTimeoutMs + " ms (zookeeper.connection.timeout.ms); is the ensemble running"
                        + " and is zookeeper.connect right?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException("Interrupted while connecting to ZooKeeper at " + connect, e);
        }
        control.execute(() -> knownSessionId = sessionId());
        LOG.info("Connected to ZooKeeper at {}, session 0x{}", connect, Long.toHexString(sessionId()));
    }

    private void stateChanged(ConnectionState state) {
        switch (state) {
            case SUSPENDED -> LOG.warn("Disconnected from ZooKeeper at {}; reconnecting until the session times out",
                    connect);
            case LOST -> {
                LOG.warn("ZooKeeper session 0x{} at {} expired; waiting for a new one",
                        Long.toHexString(knownSessionId), connect);
                knownSessionId = 0;
                listeners.forEach(l -> runListener(l::sessionExpired));
            }
            case RECONNECTED -> {
                long session = sessionId();
                if (session == knownSessionId) {
                    LOG.info("Reconnected to ZooKeeper at {}, session 0x{}", connect, Long.toHexString(session));
                    return;
                }
                if (knownSessionId != 0) {
                    listeners.forEach(l -> runListener(l::sessionExpired)); // expired without a LOST first
                }
                knownSessionId = session;
                LOG.info("New ZooKeeper session 0x{} at {}; restoring broker registrations", Long.toHexString(session),
                        connect);
                listeners.forEach(l -> runListener(l::sessionRenewed));
            }
            default -> {
            }
        }
    }

    private static void runListener(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.error("Restoring coordination state after a ZooKeeper session change failed", e);
        }
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    CuratorFramework client() {
        return client;
    }

    ScheduledExecutorService control() {
        return control;
    }

    ConnectString connectString() {
        return connect;
    }

    /** The current handle (for tests that expire its session). */
    ZooKeeper handle() {
        try {
            return client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new CoordinationException("No ZooKeeper handle for " + connect + ": " + e.getMessage(), e);
        }
    }

    /** The current session's id, the owner of the ephemeral nodes this process creates; 0 when none. */
    long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * Runs {@code operation}; Curator retries it across connection losses until the connection
     * timeout runs out. KeeperExceptions the operation does not catch itself become
     * CoordinationExceptions naming {@code what}.
     */
    <T> T call(String what, Operation<T> operation) {
        try {
            return operation.run(client);
        } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException e) {
            throw new CoordinationException("ZooKeeper at " + connect + " did not answer within "
                    + connectionTimeoutMs + " ms while trying to " + what, e);
        } catch (KeeperException e) {
            throw new CoordinationException("ZooKeeper refused to " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException("Interrupted while trying to " + what, e);
        } catch (IllegalStateException e) {
            throw new CoordinationException("The ZooKeeper client for " + connect + " is closed; cannot " + what, e);
        } catch (CoordinationException e) {
            throw e;
        } catch (Exception e) {
            throw new CoordinationException("Cannot " + what + " on ZooKeeper at " + connect + ": " + e, e);
        }
    }

    @Override
    public void close() {
        client.close(); // first: it ends the session, which removes this process's ephemeral nodes
        control.shutdownNow();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
