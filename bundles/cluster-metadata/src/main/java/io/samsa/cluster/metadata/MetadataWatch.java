package io.samsa.cluster.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Each subtree's watch reports "events may have been lost" (a null path) once on registration
 * and after a lost connection; every such report becomes a {@link MetadataListener#resync()},
 * but one not yet delivered absorbs those that follow it: the one resync re-reads everything
 * after all of them.
 */
final class MetadataWatch implements Watch {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataWatch.class);
    private static final List<String> ROOTS = List.of(ZkLayout.TOPICS, ZkLayout.CONFIG, ZkLayout.BROKER_IDS,
            ZkLayout.CONTROLLER);

    private final MetadataListener listener;
    private final ExecutorService delivery;
    private final List<Watch> trees = new ArrayList<>(ROOTS.size());
    private final AtomicBoolean resyncPending = new AtomicBoolean();
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
            for (String root : ROOTS) {
                watch.trees.add(coordinator.watchTree(root, watch::changed));
            }
        } catch (RuntimeException e) {
            watch.close();
            throw e;
        }
        return watch;
    }

    /** From a coordinator thread. */
    private void changed(String path) {
        if (closed) {
            return;
        }
        if (path == null) {
            if (resyncPending.compareAndSet(false, true)) {
                deliver(() -> {
                    resyncPending.set(false);
                    listener.resync();
                }, "resync");
            }
        } else {
            deliver(() -> ZkLayout.dispatch(path, listener), path);
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
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
