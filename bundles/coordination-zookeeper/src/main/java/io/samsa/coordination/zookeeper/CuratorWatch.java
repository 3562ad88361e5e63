package io.samsa.coordination.zookeeper;

import java.util.function.Consumer;

import org.apache.curator.framework.recipes.watch.PersistentWatcher;

import io.samsa.api.coordination.Watch;

/**
 * What a watch on Curator's PersistentWatcher does apart from how it reports: start it, close it
 * (removing it from the server), or abandon it when the session is closing anyway.
 */
abstract class CuratorWatch implements Watch {
    private final PersistentWatcher watcher;
    private final Consumer<CuratorWatch> onClose;
    private volatile boolean closed;

    CuratorWatch(PersistentWatcher watcher, Consumer<CuratorWatch> onClose) {
        this.watcher = watcher;
        this.onClose = onClose;
    }

    /** Registers the watch; the first report comes once it is in place. */
    final void arm() {
        watcher.start();
    }

    final boolean isClosed() {
        return closed;
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        watcher.close();
    }

    /** Stops the callbacks without telling the server: the session is about to close. */
    final void abandon() {
        closed = true;
    }
}
