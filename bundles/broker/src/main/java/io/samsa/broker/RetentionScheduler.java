package io.samsa.broker;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodically applies each log's retention (time and size), which also rolls segments past
 * {@code segment.ms}, and forgets idempotent producers idle for longer than Kafka's
 * {@code producer.id.expiration.ms} default. Also fsyncs, once a second at most, the logs whose
 * {@code flush.ms} has passed since their last time-based flush (appends only look at
 * {@code flush.messages} and at {@code flush.ms} when data arrives). Every
 * {@code log.cleaner.backoff.ms} it has the storage engine start compacting the compacted logs
 * that are dirty enough, as Kafka's cleaner threads look for work at that interval.
 */
final class RetentionScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionScheduler.class);
    /** Kafka's {@code log.initial.task.delay.ms}: let the broker settle before the first pass. */
    private static final long INITIAL_DELAY_MS = 30_000;
    static final long PRODUCER_EXPIRATION_MS = 86_400_000L;

    private static final long FLUSH_CHECK_MS = 1000;

    private final PartitionRegistry registry;
    private final ScheduledExecutorService thread;
    private java.util.concurrent.ScheduledFuture<?> retentionTask;
    private java.util.concurrent.ScheduledFuture<?> cleanerTask;
    private final java.util.Map<org.apache.kafka.common.TopicPartition, Long> lastFlush = new java.util.HashMap<>();

    RetentionScheduler(PartitionRegistry registry, int brokerId) {
        this.registry = registry;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "samsa-log-retention-" + brokerId);
            t.setDaemon(true);
            return t;
        });
    }

    void start(long intervalMs, long cleanerBackoffMs) {
        scheduleRetention(intervalMs, INITIAL_DELAY_MS);
        rescheduleCleaner(cleanerBackoffMs);
        thread.scheduleWithFixedDelay(() -> flushDue(System.currentTimeMillis()), FLUSH_CHECK_MS, FLUSH_CHECK_MS,
                TimeUnit.MILLISECONDS);
    }

    /** A changed {@code log.retention.check.interval.ms}: the next pass comes one new interval from now. */
    void reschedule(long intervalMs) {
        scheduleRetention(intervalMs, Long.MAX_VALUE);
    }

    private synchronized void scheduleRetention(long intervalMs, long maxInitialDelayMs) {
        if (retentionTask != null) {
            retentionTask.cancel(false);
        }
        long interval = Math.max(1, intervalMs);
        retentionTask = thread.scheduleWithFixedDelay(() -> runOnce(System.currentTimeMillis()),
                Math.min(maxInitialDelayMs, interval), interval, TimeUnit.MILLISECONDS);
        LOG.info("Checking log retention every {} ms", interval);
    }

    /** A changed {@code log.cleaner.backoff.ms}: the next check comes one new interval from now. */
    synchronized void rescheduleCleaner(long backoffMs) {
        if (cleanerTask != null) {
            cleanerTask.cancel(false);
        }
        long interval = Math.max(1, backoffMs);
        cleanerTask = thread.scheduleWithFixedDelay(() -> startCleaningIfDue(System.currentTimeMillis()), interval,
                interval, TimeUnit.MILLISECONDS);
    }

    /** @return the number of compacted logs checked */
    int startCleaningIfDue(long nowMs) {
        int checked = 0;
        for (Partition p : registry.all()) {
            if (!p.online() || !p.log().config().compact()) {
                continue;
            }
            try {
                p.startCleaningIfDue(nowMs);
                checked++;
            } catch (Exception e) {
                LOG.warn("Compaction check of {} failed", p.topicPartition(), e);
            }
        }
        return checked;
    }

    /** @return the number of logs flushed */
    synchronized int flushDue(long nowMs) {
        int flushed = 0;
        for (Partition p : registry.all()) {
            long flushMs = p.online() ? p.log().config().flushMs() : Long.MAX_VALUE;
            if (flushMs == Long.MAX_VALUE) {
                lastFlush.remove(p.topicPartition());
                continue;
            }
            long last = lastFlush.computeIfAbsent(p.topicPartition(), tp -> nowMs);
            if (nowMs - last >= flushMs) {
                try {
                    p.flush();
                    flushed++;
                } catch (Exception e) {
                    LOG.warn("Flush of {} failed", p.topicPartition(), e);
                }
                lastFlush.put(p.topicPartition(), nowMs);
            }
        }
        return flushed;
    }

    /** @return the number of segments deleted over all partitions */
    int runOnce(long nowMs) {
        int total = 0;
        for (Partition p : registry.all()) {
            if (!p.online()) {
                continue;
            }
            try {
                long before = p.log().logStartOffset();
                int deleted = p.enforceRetention(nowMs);
                if (deleted > 0) {
                    LOG.info("Retention deleted {} segment(s) of {}; log start offset {} -> {}", deleted,
                            p.topicPartition(), before, p.log().logStartOffset());
                    total += deleted;
                }
                p.expireProducers(nowMs - PRODUCER_EXPIRATION_MS);
            } catch (Exception e) {
                LOG.warn("Retention of {} failed", p.topicPartition(), e);
            }
        }
        return total;
    }

    @Override
    public void close() {
        // Not shutdownNow: interrupting a thread in FileChannel I/O closes the channel.
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
