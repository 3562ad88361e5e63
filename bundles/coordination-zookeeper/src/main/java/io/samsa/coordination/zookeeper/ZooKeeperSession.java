package io.samsa.coordination.zookeeper;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;

/**
 * Owns the ZooKeeper client handle. Operations retry across connection losses until the
 * connection timeout runs out; when the session expires a new handle is opened and the
 * {@link Listener}s re-create what lived in the old session (ephemeral nodes, watches).
 * <p>
 * Follow-up work triggered by ZooKeeper events runs on the single {@link #control()} thread,
 * never on ZooKeeper's event thread, so it may block on ZooKeeper calls.
 */
final class ZooKeeperSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSession.class);
    private static final long RETRY_PAUSE_MS = 100;

    /** Told about session loss and renewal, on the control thread. */
    interface Listener {
        /** The session (and every ephemeral node and watch in it) is gone. */
        void sessionExpired();

        /** A new session replaced an expired one. */
        void sessionRenewed();
    }

    /** One ZooKeeper operation; may run more than once when the connection drops. */
    @FunctionalInterface
    interface Operation<T> {
        T run(ZooKeeper zk) throws KeeperException, InterruptedException;
    }

    private final ConnectString connect;
    private final int sessionTimeoutMs;
    private final int connectionTimeoutMs;
    private final ScheduledExecutorService control;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private ZooKeeper zk; // guarded by lock
    private boolean connected; // guarded by lock
    private boolean closed; // guarded by lock
    /** The current handle's session expired and the control thread has yet to replace it. */
    private boolean expired; // guarded by lock
    private volatile Thread controlThread;

    ZooKeeperSession(ConnectString connect, int sessionTimeoutMs, int connectionTimeoutMs) {
        this.connect = connect;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.connectionTimeoutMs = connectionTimeoutMs;
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "samsa-zookeeper-control");
            t.setDaemon(true);
            controlThread = t;
            return t;
        });
    }

    /** Creates the chroot if needed, then connects; fails when no server answers in time. */
    void start() {
        if (!connect.chroot().isEmpty()) {
            createChroot();
        }
        synchronized (lock) {
            zk = open(connect.full());
        }
        awaitConnected(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectionTimeoutMs));
        LOG.info("Connected to ZooKeeper at {}, session 0x{}", connect, Long.toHexString(sessionId()));
    }

    private void createChroot() {
        ZooKeeper root = open(connect.hosts());
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectionTimeoutMs);
            while (!root.getState().isConnected()) {
                if (System.nanoTime() > deadline) {
                    throw cannotConnect(null);
                }
                Thread.sleep(20);
            }
            ZNodeStore.createParents(root, connect.chroot() + "/x");
        } catch (KeeperException e) {
            throw new CoordinationException("Cannot create chroot " + connect.chroot() + " on ZooKeeper at "
                    + connect.hosts() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException("Interrupted while connecting to ZooKeeper at " + connect, e);
        } finally {
            closeQuietly(root);
        }
    }

    private ZooKeeper open(String connectString) {
        try {
            StateWatcher watcher = new StateWatcher();
            ZooKeeper handle = new ZooKeeper(connectString, sessionTimeoutMs, watcher, new NioClientConfig());
            watcher.handle = handle;
            return handle;
        } catch (IOException | IllegalArgumentException e) {
            throw new CoordinationException("Cannot open a ZooKeeper client for " + connectString + ": "
                    + e.getMessage(), e);
        }
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    ScheduledExecutorService control() {
        return control;
    }

    ConnectString connectString() {
        return connect;
    }

    /** The current handle, connected or not. */
    ZooKeeper handle() {
        synchronized (lock) {
            return zk;
        }
    }

    /** The current session's id, the owner of the ephemeral nodes this process creates. */
    long sessionId() {
        synchronized (lock) {
            return zk == null ? 0 : zk.getSessionId();
        }
    }

    /**
     * Runs {@code operation}, retrying on connection loss until the connection timeout runs out.
     * KeeperExceptions other than connection or session loss become CoordinationExceptions;
     * operations catch the ones they expect (NoNode, BadVersion, ...) themselves.
     */
    <T> T call(String what, Operation<T> operation) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectionTimeoutMs);
        while (true) {
            ZooKeeper handle = awaitConnected(deadline);
            try {
                return operation.run(handle);
            } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException
                    | KeeperException.SessionMovedException e) {
                if (System.nanoTime() > deadline) {
                    throw new CoordinationException("ZooKeeper at " + connect + " did not answer within "
                            + connectionTimeoutMs + " ms while trying to " + what, e);
                }
                pause();
            } catch (KeeperException e) {
                throw new CoordinationException("ZooKeeper refused to " + what + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CoordinationException("Interrupted while trying to " + what, e);
            }
        }
    }

    /** Runs {@code operation} once on the current handle, connected or not (for best-effort cleanup). */
    <T> T callOnce(String what, Operation<T> operation) {
        ZooKeeper handle;
        synchronized (lock) {
            handle = zk;
        }
        if (handle == null) {
            throw new CoordinationException("Not connected to ZooKeeper at " + connect);
        }
        try {
            return operation.run(handle);
        } catch (KeeperException e) {
            throw new CoordinationException("ZooKeeper could not " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException("Interrupted while trying to " + what, e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException("Interrupted while waiting for ZooKeeper", e);
        }
    }

    private ZooKeeper awaitConnected(long deadlineNanos) {
        synchronized (lock) {
            while (!connected) {
                if (closed) {
                    throw new CoordinationException("The ZooKeeper client for " + connect + " is closed");
                }
                if (expired && Thread.currentThread() == controlThread) {
                    // waiting here would hold up the renewal queued behind us on this thread
                    throw new CoordinationException("The ZooKeeper session at " + connect + " expired");
                }
                long waitMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (waitMs <= 0) {
                    throw cannotConnect(null);
                }
                try {
                    lock.wait(waitMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CoordinationException("Interrupted while connecting to ZooKeeper at " + connect, e);
                }
            }
            return zk;
        }
    }

    private CoordinationException cannotConnect(Throwable cause) {
        return new CoordinationException("Cannot connect to ZooKeeper at " + connect + " within "
                + connectionTimeoutMs + " ms (zookeeper.connection.timeout.ms); is the ensemble running and is"
                + " zookeeper.connect right?", cause);
    }

    /** Replaces an expired session by a new one, retrying until it connects or this closes. */
    private void renew(ZooKeeper old) {
        synchronized (lock) {
            if (closed || zk != old) {
                return;
            }
        }
        closeQuietly(old);
        for (Listener listener : listeners) {
            runListener(listener::sessionExpired);
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            zk = open(connect.full());
            expired = false;
        }
        while (true) {
            try {
                awaitConnected(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectionTimeoutMs));
                break;
            } catch (CoordinationException e) {
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                }
                LOG.warn("No new ZooKeeper session at {} yet, still trying: {}", connect, e.getMessage());
            }
        }
        LOG.info("New ZooKeeper session 0x{} at {}; restoring broker registrations, elections and watches",
                Long.toHexString(sessionId()), connect);
        for (Listener listener : listeners) {
            runListener(listener::sessionRenewed);
        }
    }

    private static void runListener(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.error("Restoring coordination state after a ZooKeeper session change failed", e);
        }
    }

    @Override
    public void close() {
        ZooKeeper handle;
        synchronized (lock) {
            closed = true;
            connected = false;
            handle = zk;
            lock.notifyAll();
        }
        control.shutdownNow();
        closeQuietly(handle);
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(ZooKeeper handle) {
        if (handle == null) {
            return;
        }
        try {
            handle.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Tracks the connection state of the handle it was given to. Handles are opened while
     * holding {@code lock}, so an event cannot be judged before {@code handle} is set.
     */
    private final class StateWatcher implements Watcher {
        private volatile ZooKeeper handle;
        private boolean wasConnected; // guarded by lock

        @Override
        public void process(WatchedEvent event) {
            if (event.getType() != Event.EventType.None) {
                return;
            }
            synchronized (lock) {
                if (handle == null || handle != zk) {
                    return; // a replaced handle, or the one that only creates the chroot
                }
                switch (event.getState()) {
                    case SyncConnected, ConnectedReadOnly -> {
                        if (wasConnected && !connected) {
                            LOG.info("Reconnected to ZooKeeper at {}, session 0x{}", connect,
                                    Long.toHexString(handle.getSessionId()));
                        }
                        wasConnected = true;
                        connected = true;
                        lock.notifyAll();
                    }
                    case Disconnected -> {
                        if (connected) {
                            LOG.warn("Disconnected from ZooKeeper at {}; reconnecting until the session times out",
                                    connect);
                        }
                        connected = false;
                    }
                    case Expired -> {
                        connected = false;
                        expired = true;
                        if (!closed) {
                            ZooKeeper old = handle;
                            LOG.warn("ZooKeeper session 0x{} at {} expired; opening a new session",
                                    Long.toHexString(old.getSessionId()), connect);
                            control.execute(() -> renew(old));
                        }
                    }
                    case AuthFailed -> LOG.error("Authentication with ZooKeeper at {} failed", connect);
                    default -> {
                    }
                }
            }
        }
    }
}
