package io.samsa.coordination.zookeeper;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Watch;

/**
 * A persistent (non-recursive) ZooKeeper watch on one path: it fires on creation, deletion, data
 * changes and child-set changes of that node and stays armed. The listener runs on the events
 * executor; events that arrive while a call is already queued fold into it.
 */
final class PathWatch implements Watch, Watcher {
    private static final Logger LOG = LoggerFactory.getLogger(PathWatch.class);

    private final ZooKeeperSession session;
    private final String path;
    private final Runnable listener;
    private final Executor events;
    private final Consumer<PathWatch> onClose;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile boolean closed;

    PathWatch(ZooKeeperSession session, String path, Runnable listener, Executor events, Consumer<PathWatch> onClose) {
        this.session = session;
        this.path = path;
        this.listener = listener;
        this.events = events;
        this.onClose = onClose;
    }

    /** Registers the watch with the current session, then calls the listener once. */
    void arm() {
        session.call("watch " + path, zk -> {
            zk.addWatch(path, this, AddWatchMode.PERSISTENT);
            return null;
        });
        fire();
    }

    @Override
    public void process(WatchedEvent event) {
        if (event.getType() == Event.EventType.None) {
            // changes made while disconnected are not replayed for persistent watches: re-read then
            if (event.getState() == Event.KeeperState.SyncConnected) {
                fire();
            }
            return;
        }
        fire();
    }

    private void fire() {
        if (closed || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            events.execute(() -> {
                queued.set(false);
                if (closed) {
                    return;
                }
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.error("Watch listener for {} failed", path, e);
                }
            });
        } catch (RejectedExecutionException e) {
            queued.set(false); // the coordinator is closing
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        try {
            session.callOnce("remove the watch on " + path, zk -> {
                try {
                    zk.removeWatches(path, this, WatcherType.Persistent, true);
                } catch (KeeperException.NoWatcherException e) {
                    // never armed in this session
                }
                return null;
            });
        } catch (CoordinationException e) {
            LOG.debug("Could not remove the watch on {}: {}", path, e.getMessage());
        }
    }

    /** Stops the callbacks without telling the server: the session is about to close. */
    void abandon() {
        closed = true;
    }

    @Override
    public String toString() {
        return "watch on " + path;
    }
}
