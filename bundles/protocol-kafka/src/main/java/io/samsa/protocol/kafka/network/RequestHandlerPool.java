package io.samsa.protocol.kafka.network;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request queue and the {@code num.io.threads} handler threads that serve it. The queue
 * admits at most {@code queued.max.requests} waiting requests; a network thread whose request is
 * refused keeps it and stops reading from that connection until there is room, so a full queue
 * slows clients down instead of dropping anything. Both sizes can change while requests run.
 */
final class RequestHandlerPool {

    private static final Logger LOG = LoggerFactory.getLogger(RequestHandlerPool.class);

    private final ThreadPoolExecutor executor;
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile int maxWaiting;

    RequestHandlerPool(int threads, int maxWaiting) {
        AtomicInteger ids = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "kafka-request-handler-" + ids.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
        // Unbounded underneath: admission is counted here so that the bound can change live.
        executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
        executor.prestartAllCoreThreads();
        this.maxWaiting = maxWaiting;
    }

    /** Queues a request; false when {@code queued.max.requests} are already waiting. */
    boolean trySubmit(Runnable request) {
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            executor.execute(() -> {
                waiting.decrementAndGet();
                request.run();
            });
            return true;
        } catch (RuntimeException rejected) {
            waiting.decrementAndGet();
            throw rejected;
        }
    }

    /** Resizes without interrupting anything: surplus threads leave once their current request is done. */
    void resize(int threads, int nextMaxWaiting) {
        maxWaiting = nextMaxWaiting;
        if (threads > executor.getMaximumPoolSize()) {
            executor.setMaximumPoolSize(threads);
            executor.setCorePoolSize(threads);
            executor.prestartAllCoreThreads();
        } else if (threads < executor.getMaximumPoolSize()) {
            executor.setCorePoolSize(threads);
            executor.setMaximumPoolSize(threads);
        }
    }

    int threads() {
        return executor.getMaximumPoolSize();
    }

    void shutdown(long waitMillis) {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("Request handler threads still busy {} ms after shutdown", waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
