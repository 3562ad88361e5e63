package io.samsa.coordination.zookeeper;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent (non-recursive) ZooKeeper watch on one path: it fires on creation, deletion, data
 * changes and child-set changes of that node. Curator's PersistentWatcher re-adds it after every
 * reconnection, including into a new session; as ZooKeeper does not replay what changed while the
 * client was away, each re-add calls the listener too. The listener runs on the events executor;
 * events that arrive while a call is already queued fold into it, and since the flag is cleared
 * before the listener reads, a change during a call queues another one: no change goes unseen.
 */
final class PathWatch extends CuratorWatch {
    private static final Logger LOG = LoggerFactory.getLogger(PathWatch.class);

    private final String path;
    private final Runnable listener;
    private final Executor events;
    private final AtomicBoolean queued = new AtomicBoolean();

    PathWatch(CuratorSession session, String path, Runnable listener, Executor events, Consumer<CuratorWatch> onClose) {
        this(new PersistentWatcher(session.client(), path, false), path, listener, events, onClose);
    }

    private PathWatch(PersistentWatcher watcher, String path, Runnable listener, Executor events,
            Consumer<CuratorWatch> onClose) {
        super(watcher, onClose);
        this.path = path;
        this.listener = listener;
        this.events = events;
        watcher.getListenable().addListener(event -> {
            if (event.getType() != Watcher.Event.EventType.None) {
                fire();
            }
        });
        watcher.getResetListenable().addListener(this::fire);
    }

    private void fire() {
        if (isClosed() || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            events.execute(() -> {
                queued.set(false);
                if (isClosed()) {
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
    public String toString() {
        return "watch on " + path;
    }
}
