package io.samsa.cluster.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.MetadataListener;

/**
 * One {@link io.samsa.api.replication.ClusterMetadataStore#watch}: recursive watches of the
 * subtrees the metadata lives in, their changed paths translated for the listener and handed to
 * it in order on a thread of its own, so that a listener that reads the coordinator never holds
 * up the coordinator's event thread (nor other watchers).
 * <p>
 * Each subtree's watch reports "events may have been lost" (a null path) once it is in place and
 * after a lost connection. The listener's first call is one resync, once every subtree has
 * reported in place; the changes reported before it are dropped, since that resync re-reads what
 * they changed. Later reports each become a resync, but one not yet delivered absorbs those that
 * follow it: the one resync re-reads everything after all of them.
 */
final class MetadataWatch implements Watch {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataWatch.class);
    private static final List<String> ROOTS = List.of(ZkLayout.TOPICS, ZkLayout.CONFIG, ZkLayout.BROKER_IDS,
            ZkLayout.CONTROLLER);

    private final MetadataListener listener;
    private final ExecutorService delivery;
    private final List<Watch> trees = new ArrayList<>(ROOTS.size());
    private final AtomicBoolean resyncPending = new AtomicBoolean();
    /** Which subtrees have reported their watch in place; guarded by this. */
    private final boolean[] inPlace = new boolean[ROOTS.size()];
    /** Subtrees yet to report in place; guarded by this. Until 0, nothing is delivered. */
    private int awaitingPlacement = ROOTS.size();
    private volatile boolean closed;

    private MetadataWatch(MetadataListener listener) {
        this.listener = listener;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cluster-metadata-watch");
            t.setDaemon(true);
            return t;
        });
    }

    static MetadataWatch start(Coordinator coordinator, MetadataListener listener) {
        MetadataWatch watch = new MetadataWatch(listener);
        try {
            for (int i = 0; i < ROOTS.size(); i++) {
                int tree = i;
                watch.trees.add(coordinator.watchTree(ROOTS.get(i), path -> watch.changed(tree, path)));
            }
        } catch (RuntimeException e) {
            watch.close();
            throw e;
        }
        return watch;
    }

    /** From a coordinator thread. */
    private synchronized void changed(int tree, String path) {
        if (closed) {
            return;
        }
        if (awaitingPlacement > 0) {
            if (path == null && !inPlace[tree]) {
                inPlace[tree] = true;
                awaitingPlacement--;
            }
            if (awaitingPlacement > 0) {
                return;
            }
            path = null; // every subtree is watched: the first resync
        }
        if (path == null) {
            if (resyncPending.compareAndSet(false, true)) {
                deliver(() -> {
                    resyncPending.set(false);
                    listener.resync();
                }, "resync");
            }
        } else {
            String changed = path;
            deliver(() -> ZkLayout.dispatch(changed, listener), changed);
        }
    }

    private void deliver(Runnable event, String what) {
        try {
            delivery.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    event.run();
                } catch (CoordinationException e) {
                    LOG.warn("Cluster metadata listener could not handle {}: {}", what, e.getMessage());
                } catch (RuntimeException e) {
                    LOG.error("Cluster metadata listener failed on {}", what, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Watch w : trees) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.warn("Could not close a cluster metadata watch: {}", e.getMessage());
            }
        }
        delivery.shutdown();
    }
}
