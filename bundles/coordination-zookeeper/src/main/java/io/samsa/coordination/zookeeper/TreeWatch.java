package io.samsa.coordination.zookeeper;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent recursive ZooKeeper watch (ZooKeeper 3.6+ addWatch PERSISTENT_RECURSIVE) on a
 * subtree. ZooKeeper sends it the path of every node created, changed or deleted below the root,
 * and no child-list events (a child's own creation or deletion stands for them). Curator re-adds
 * the watch after every reconnection, in the same session or a new one; what changed while the
 * client was away is not replayed, so each re-add (and the first add) is passed on as the
 * resync signal {@code null}.
 * <p>
 * Paths wait in an ordered set until the events executor delivers them: a path changed again
 * before its delivery is delivered once, and a pending resync makes pending paths redundant.
 */
final class TreeWatch extends CuratorWatch {
    private static final Logger LOG = LoggerFactory.getLogger(TreeWatch.class);
    private static final String RESYNC = new String("resync"); // identity marks it apart from any path

    private final String root;
    private final Consumer<String> listener;
    private final Executor events;
    private final LinkedHashSet<String> pending = new LinkedHashSet<>(); // guarded by itself
    private boolean draining; // guarded by pending

    TreeWatch(CuratorSession session, String root, Consumer<String> listener, Executor events,
            Consumer<CuratorWatch> onClose) {
        this(new PersistentWatcher(session.client(), root, true), root, listener, events, onClose);
    }

    private TreeWatch(PersistentWatcher watcher, String root, Consumer<String> listener, Executor events,
            Consumer<CuratorWatch> onClose) {
        super(watcher, onClose);
        this.root = root;
        this.listener = listener;
        this.events = events;
        watcher.getListenable().addListener(event -> {
            if (event.getType() != Watcher.Event.EventType.None && event.getPath() != null) {
                offer(event.getPath());
            }
        });
        watcher.getResetListenable().addListener(() -> offer(RESYNC));
    }

    private void offer(String path) {
        if (isClosed()) {
            return;
        }
        synchronized (pending) {
            if (path == RESYNC) {
                pending.clear();
            } else if (pending.contains(RESYNC)) {
                return;
            }
            pending.add(path);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            events.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (pending) {
                draining = false; // the coordinator is closing
            }
        }
    }

    private void drain() {
        List<String> batch;
        synchronized (pending) {
            batch = new ArrayList<>(pending);
            pending.clear();
            draining = false;
        }
        for (String path : batch) {
            if (isClosed()) {
                return;
            }
            try {
                listener.accept(path == RESYNC ? null : path);
            } catch (RuntimeException e) {
                LOG.error("Tree watch listener for {} failed on {}", root, path == RESYNC ? "a resync" : path, e);
            }
        }
    }

    @Override
    public String toString() {
        return "tree watch on " + root;
    }
}
