package io.samsa.coordination.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.coordination.Op;

/**
 * One candidate in the controller election, Kafka 2.x style: the controller holds the ephemeral
 * /controller node, and each win bumps /controller_epoch in the same atomic multi that creates
 * it, so epochs strictly increase and a stale controller's epoch is always smaller than the
 * current one. Every candidate keeps a persistent watch on /controller (Curator re-adds it after
 * reconnections and session expiry) and runs a round on each change of it.
 * <p>
 * Not Curator's LeaderLatch/LeaderSelector: they elect through sequential nodes of their own and
 * know no epoch, while Kafka's tools and brokers read /controller and /controller_epoch.
 * <p>
 * Election rounds run on the session's control thread (or the caller's, for the first one),
 * serialised by this object's monitor; listener callbacks run, in order, on the events executor.
 */
final class ControllerElection implements Election, CuratorSession.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerElection.class);
    static final String CONTROLLER = "/controller";
    static final String EPOCH = "/controller_epoch";
    private static final long RETRY_MS = 1000;

    private final CuratorSession session;
    private final int brokerId;
    private final ElectionListener listener;
    private final Executor events;
    private final Consumer<ControllerElection> onClose;
    private final PersistentWatcher controllerWatcher;
    private boolean closed; // guarded by this
    private boolean elected; // guarded by this
    /** The fence of the latest win; null before the first. */
    private volatile Op fence;
    private volatile OptionalInt controllerId = OptionalInt.empty();

    ControllerElection(CuratorSession session, int brokerId, ElectionListener listener, Executor events,
            Consumer<ControllerElection> onClose) {
        this.session = session;
        this.brokerId = brokerId;
        this.listener = listener;
        this.events = events;
        this.onClose = onClose;
        this.controllerWatcher = new PersistentWatcher(session.client(), CONTROLLER, false);
        controllerWatcher.getListenable().addListener(event -> {
            if (event.getType() != Watcher.Event.EventType.None) {
                schedule(0);
            }
        });
        controllerWatcher.getResetListenable().addListener(() -> schedule(0));
    }

    /** Watches /controller and runs the first round on the caller's thread. */
    void start() {
        controllerWatcher.start();
        run();
    }

    @Override
    public OptionalInt controllerId() {
        return controllerId;
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

    private void schedule(long delayMs) {
        try {
            session.control().schedule(this::runRound, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the coordinator is closing
        }
    }

    private void runRound() {
        try {
            run();
        } catch (CoordinationException e) {
            LOG.warn("Controller election for broker {} failed, retrying in {} ms: {}", brokerId, RETRY_MS,
                    e.getMessage());
            schedule(RETRY_MS);
        }
    }

    /** One election round: find out who holds /controller (watching it), and try to take it if nobody does. */
    synchronized void run() {
        while (!closed) {
            Stat stat = new Stat();
            byte[] current = session.call("read " + CONTROLLER, client -> {
                try {
                    return client.getData().storingStatIn(stat).forPath(CONTROLLER);
                } catch (KeeperException.NoNodeException e) {
                    return null;
                }
            });
            if (current != null) {
                observe(current, stat);
                return;
            }
            controllerId = OptionalInt.empty();
            if (elected) {
                resign(CONTROLLER + " was deleted");
            }
            int[] epochAndVersion = readEpoch();
            int epoch = epochAndVersion[0] + 1;
            byte[] me = ZNodeJson.controller(brokerId, System.currentTimeMillis());
            boolean won = session.call("elect broker " + brokerId + " as controller", client -> {
                try {
                    client.transaction().forOperations(List.of(
                            client.transactionOp().setData().withVersion(epochAndVersion[1])
                                    .forPath(EPOCH, Integer.toString(epoch).getBytes(StandardCharsets.UTF_8)),
                            client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(CONTROLLER, me)));
                    return true;
                } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException e) {
                    return false;
                }
            });
            if (won) {
                // the multi's setData bumped the version by exactly one
                becomeController(epoch, epochAndVersion[1] + 1);
            }
            // loop: watch /controller, whoever holds it now
        }
    }

    private void observe(byte[] data, Stat stat) {
        int holder;
        try {
            holder = ZNodeJson.parseControllerId(data);
        } catch (IllegalArgumentException e) {
            LOG.warn("Unreadable {}: {}", CONTROLLER, e.getMessage());
            holder = -1;
        }
        controllerId = holder < 0 ? OptionalInt.empty() : OptionalInt.of(holder);
        boolean mine = holder == brokerId && stat.getEphemeralOwner() == session.sessionId();
        if (mine && !elected) {
            // our own multi succeeded but its answer was lost with the connection
            int[] epochAndVersion = readEpoch();
            becomeController(epochAndVersion[0], epochAndVersion[1]);
        } else if (!mine && elected) {
            resign("broker " + holder + " holds " + CONTROLLER + " now");
        }
    }

    /** The current controller epoch and the version of its node, creating it at 0. */
    private int[] readEpoch() {
        return session.call("read " + EPOCH, client -> {
            while (true) {
                Stat stat = new Stat();
                try {
                    byte[] data = client.getData().storingStatIn(stat).forPath(EPOCH);
                    int epoch = data == null || data.length == 0 ? 0
                            : Integer.parseInt(new String(data, StandardCharsets.UTF_8).trim());
                    return new int[] { epoch, stat.getVersion() };
                } catch (KeeperException.NoNodeException e) {
                    ZNodeStore.create(client, EPOCH, "0".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
                } catch (NumberFormatException e) {
                    throw new CoordinationException(EPOCH + " does not hold a number: " + e.getMessage(), e);
                }
            }
        });
    }

    private void becomeController(int epoch, int epochVersion) {
        fence = new Op.Check(EPOCH, epochVersion);
        elected = true;
        controllerId = OptionalInt.of(brokerId);
        LOG.info("Broker {} is the controller (epoch {})", brokerId, epoch);
        events.execute(() -> notify(() -> listener.elected(epoch)));
    }

    private void resign(String why) {
        elected = false;
        LOG.warn("Broker {} is no longer the controller: {}", brokerId, why);
        events.execute(() -> notify(listener::resigned));
    }

    private void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.error("Controller election listener of broker {} failed", brokerId, e);
        }
    }

    @Override
    public synchronized void sessionExpired() {
        controllerId = OptionalInt.empty();
        if (elected) {
            resign("its ZooKeeper session expired");
        }
    }

    @Override
    public void sessionRenewed() {
        // nothing: the watcher's reset in the new session runs the next round
    }

    /** Withdraws without touching ZooKeeper: the session, and /controller with it, is closing. */
    synchronized void abandon() {
        if (closed) {
            return;
        }
        closed = true;
        controllerWatcher.close();
        controllerId = OptionalInt.empty();
        if (elected) {
            resign("the coordinator is shutting down");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        controllerWatcher.close();
        if (!elected) {
            return;
        }
        try {
            session.call("resign as controller", client -> {
                Stat stat = new Stat();
                try {
                    byte[] data = client.getData().storingStatIn(stat).forPath(CONTROLLER);
                    if (stat.getEphemeralOwner() == session.sessionId()
                            && ZNodeJson.parseControllerId(data) == brokerId) {
                        client.delete().withVersion(stat.getVersion()).forPath(CONTROLLER);
                    }
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                    // gone already, or no longer ours
                }
                return null;
            });
        } catch (CoordinationException e) {
            LOG.warn("Could not delete {} on resigning; it goes when the session ends: {}", CONTROLLER,
                    e.getMessage());
        }
        controllerId = OptionalInt.empty();
        resign("it withdrew from the election");
    }
}
