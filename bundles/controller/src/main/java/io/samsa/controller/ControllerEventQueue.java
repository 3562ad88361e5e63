package io.samsa.controller;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The controller's one thread: every event (a metadata change, a retry) runs on it in the order
 * it came, so decisions never race each other and the context needs no locks. Closing it drops
 * what is queued and stops at once; an event running then sees {@link #isClosed()}.
 */
final class ControllerEventQueue implements AutoCloseable {
    private final ScheduledThreadPoolExecutor executor;
    private final BiConsumer<String, RuntimeException> onFailure;
    private volatile boolean closed;

    /**
     * @param onFailure told (on the queue's thread) which event threw what; the queue goes on
     */
    private final Runnable afterEach;

    ControllerEventQueue(String threadName, BiConsumer<String, RuntimeException> onFailure) {
        this(threadName, onFailure, () -> { });
    }

    /** @param afterEach run on the queue's thread after every event, e.g. to publish what it changed */
    ControllerEventQueue(String threadName, BiConsumer<String, RuntimeException> onFailure, Runnable afterEach) {
        this.onFailure = onFailure;
        this.afterEach = afterEach;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Queues {@code event}; does nothing once closed. */
    void submit(String name, Runnable event) {
        schedule(name, event, 0);
    }

    /** Queues {@code event} to run {@code delayMs} from now; does nothing once closed. */
    void schedule(String name, Runnable event, long delayMs) {
        if (closed) {
            return;
        }
        try {
            executor.schedule(() -> run(name, event), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void run(String name, Runnable event) {
        if (closed) {
            return;
        }
        try {
            event.run();
        } catch (RuntimeException e) {
            if (!closed) {
                onFailure.accept(name, e);
            }
        }
        try {
            afterEach.run();
        } catch (RuntimeException e) {
            // only metrics: the controller goes on deciding
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
    }

    /** Waits for the thread to end after {@link #close()}. */
    boolean awaitTermination(Duration timeout) {
        try {
            return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
