package io.samsa.coordination.zookeeper;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
 * <p>
 * The session lease: the server expires a session no earlier than one negotiated session timeout
 * after the last request it received in it, and nobody can learn of the expiry before it happens.
 * A request sent at time s and answered in the session therefore proves the session alive until at
 * least s + timeout, on any clock that runs at about the server's rate. The control thread sends
 * such a request every third of the timeout and keeps the lease at the latest answered send time
 * plus two thirds of the timeout, on {@link System#nanoTime()}, which keeps counting while the
 * process is stopped: a resumed process finds its lease over before it learns anything. The third
 * left over absorbs clock-rate differences and the delivery of the expiry to other brokers.
 */
final class CuratorSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CuratorSession.class);
    private static final int RETRY_PAUSE_MS = 100;

    /** Told about session loss and renewal, on the control thread. */
    interface Listener {
        /** The connection is down; the session may live on. */
        default void sessionSuspended() {
        }

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
    private final int sessionTimeoutMs;
    /** The session the listeners last saw; touched on the control thread only. */
    private long knownSessionId;
    /** The session the lease is about, 0 for none, and its end; guarded by this. */
    private long leaseSessionId;
    private long leaseUntilNanos;
    /** The last session known to have expired; its late answers extend nothing. Guarded by this. */
    private long expiredSessionId;

    CuratorSession(ConnectString connect, int sessionTimeoutMs, int connectionTimeoutMs) {
        this.connect = connect;
        this.sessionTimeoutMs = sessionTimeoutMs;
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
        control.execute(this::heartbeat);
        LOG.info("Connected to ZooKeeper at {}, session 0x{}", connect, Long.toHexString(sessionId()));
    }

    private void stateChanged(ConnectionState state) {
        switch (state) {
            case SUSPENDED -> {
                LOG.warn("Disconnected from ZooKeeper at {}; reconnecting until the session times out", connect);
                listeners.forEach(l -> runListener(l::sessionSuspended));
            }
            case LOST -> {
                LOG.warn("ZooKeeper session 0x{} at {} expired; waiting for a new one",
                        Long.toHexString(knownSessionId), connect);
                endLease(knownSessionId);
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
                    endLease(knownSessionId);
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

    /** Sends one lease request and schedules the next, a third of the (negotiated) session timeout later. */
    private void heartbeat() {
        long intervalMs = sessionTimeoutMs / 3;
        try {
            ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
            long session = zk.getSessionId();
            if (session != 0 && zk.getState().isConnected()) {
                int negotiatedMs = zk.getSessionTimeout();
                intervalMs = Math.min(sessionTimeoutMs, negotiatedMs) / 3;
                long sent = System.nanoTime();
                // the raw handle, not Curator: an answer must be one from the server, never a retried attempt
                zk.exists("/", false, (rc, path, ctx, stat) -> {
                    if (rc == KeeperException.Code.OK.intValue()) {
                        answered(session, sent, negotiatedMs);
                    }
                }, null);
            }
        } catch (Exception e) {
            // no handle (closing or between sessions): no lease this round
        }
        try {
            control.schedule(this::heartbeat, Math.max(1, intervalMs), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Extends the lease of {@code session} by a request sent at {@code sentNanos} that the server
     * answered; a request of a new session starts that session's lease.
     */
    synchronized void answered(long session, long sentNanos, int negotiatedTimeoutMs) {
        if (session == 0 || session == expiredSessionId) {
            return;
        }
        long until = sentNanos + TimeUnit.MILLISECONDS.toNanos(negotiatedTimeoutMs) * 2 / 3;
        if (session != leaseSessionId) {
            leaseSessionId = session;
            leaseUntilNanos = until;
        } else if (until - leaseUntilNanos > 0) {
            leaseUntilNanos = until;
        }
    }

    private synchronized void endLease(long session) {
        expiredSessionId = session;
        if (leaseSessionId == session) {
            leaseSessionId = 0;
        }
    }

    /**
     * Until when (System.nanoTime) {@code session} is sure to be alive; in the past unless it is
     * the session whose requests were answered last.
     */
    synchronized long leaseValidUntilNanos(long session) {
        if (session == 0 || session != leaseSessionId) {
            return System.nanoTime() - 1;
        }
        return leaseUntilNanos;
    }

    /** The negotiated session timeout of the current handle, or the configured one before it connects. */
    int negotiatedSessionTimeoutMs() {
        try {
            int negotiated = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
            return negotiated > 0 ? negotiated : sessionTimeoutMs;
        } catch (Exception e) {
            return sessionTimeoutMs;
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
