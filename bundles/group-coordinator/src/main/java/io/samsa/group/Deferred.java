package io.samsa.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Work decided under a group lock and done after it is released: completing a response future
 * runs the caller's continuations, which must not run while a group is locked.
 */
final class Deferred {
    private List<Runnable> actions;

    <T> void complete(CompletableFuture<T> future, T value) {
        add(() -> future.complete(value));
    }

    void add(Runnable action) {
        if (actions == null) {
            actions = new ArrayList<>(4);
        }
        actions.add(action);
    }

    /** Runs everything added so far, in order; call with no lock held. */
    void run() {
        if (actions == null) {
            return;
        }
        List<Runnable> todo = actions;
        actions = null;
        for (Runnable r : todo) {
            r.run();
        }
        run();
    }
}
