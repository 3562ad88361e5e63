package io.samsa.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.FetchResult;
import io.samsa.broker.FetchReader.FetchRequest;

/**
 * Fetches waiting for data (Kafka's fetch purgatory). A parked fetch is watched by each of its
 * partitions; an append to one of them, or a move of its high watermark, re-checks it, and it
 * completes once enough bytes have arrived (below the high watermark for a consumer), when one
 * of its partitions changes state, or at its deadline. Deadlines run on one shared timer thread;
 * nothing polls.
 */
final class DelayedFetchQueue {

    private static final Logger LOG = LoggerFactory.getLogger(DelayedFetchQueue.class);

    private final FetchReader reader;
    private final ScheduledExecutorService timer;
    private final Map<TopicPartition, Set<DelayedFetch>> watchers = new ConcurrentHashMap<>();

    DelayedFetchQueue(FetchReader reader, ScheduledExecutorService timer) {
        this.reader = reader;
        this.timer = timer;
    }

    /**
     * Answers now when the request can be answered now (no wait, enough bytes, or an error),
     * else parks it.
     */
    CompletableFuture<Map<TopicPartition, FetchResult>> fetch(FetchRequest request, FetchReader.PartitionLookup lookup) {
        DelayedFetch f = new DelayedFetch(request, lookup);
        FetchReader.Read first = reader.read(request);
        if (request.maxWaitMs() <= 0 || request.partitions().isEmpty() || first.error()
                || first.bytes() >= request.minBytes()) {
            return CompletableFuture.completedFuture(first.results());
        }
        f.bytesAtPark = first.bytes();
        for (TopicPartition tp : request.partitions().keySet()) {
            watchers.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(f);
        }
        f.expiry = timer.schedule(() -> complete(f), request.maxWaitMs(), TimeUnit.MILLISECONDS);
        // An append between the first read and the registration above has not notified us.
        if (f.satisfied()) {
            complete(f);
        }
        return f.future;
    }

    /** Called after an append to {@code tp} or a move of its high watermark, outside the partition's lock. */
    void readableChanged(TopicPartition tp) {
        Set<DelayedFetch> waiting = watchers.get(tp);
        if (waiting == null || waiting.isEmpty()) {
            return;
        }
        for (DelayedFetch f : waiting) {
            if (f.satisfied()) {
                complete(f);
            }
        }
    }

    /** Leadership, deletion or storage change: whoever waits on {@code tp} answers now. */
    void partitionChanged(TopicPartition tp) {
        Set<DelayedFetch> waiting = watchers.get(tp);
        if (waiting != null) {
            for (DelayedFetch f : List.copyOf(waiting)) {
                complete(f);
            }
        }
    }

    /** Answers every parked fetch, e.g. before the logs close. */
    void completeAll() {
        List<DelayedFetch> all = new ArrayList<>();
        watchers.values().forEach(all::addAll);
        all.forEach(this::complete);
    }

    int parked() {
        return (int) watchers.values().stream().flatMap(Set::stream).distinct().count();
    }

    private void complete(DelayedFetch f) {
        if (!f.done.compareAndSet(false, true)) {
            return;
        }
        if (f.expiry != null) {
            f.expiry.cancel(false);
        }
        for (TopicPartition tp : f.request.partitions().keySet()) {
            Set<DelayedFetch> set = watchers.get(tp);
            if (set != null) {
                set.remove(f);
            }
        }
        try {
            f.future.complete(reader.read(f.request).results());
        } catch (RuntimeException e) {
            LOG.error("Completing a delayed fetch failed", e);
            f.future.completeExceptionally(e);
        }
    }

    /** One parked fetch and the partitions' append counters (and high watermarks) when it was parked. */
    private static final class DelayedFetch {
        final FetchRequest request;
        final Partition[] partitions;
        final long[] appendedAtStart;
        /** A consumer's: the high watermarks at park time; null for a follower, which reads to the log end. */
        final long[] highWatermarkAtStart;
        final CompletableFuture<Map<TopicPartition, FetchResult>> future = new CompletableFuture<>();
        final AtomicBoolean done = new AtomicBoolean();
        volatile long bytesAtPark;
        volatile ScheduledFuture<?> expiry;

        DelayedFetch(FetchRequest request, FetchReader.PartitionLookup lookup) {
            this.request = request;
            int n = request.partitions().size();
            partitions = new Partition[n];
            appendedAtStart = new long[n];
            highWatermarkAtStart = request.fromFollower() ? null : new long[n];
            int i = 0;
            for (TopicPartition tp : request.partitions().keySet()) {
                Partition p = lookup.get(tp);
                partitions[i] = p;
                appendedAtStart[i] = p == null ? 0 : p.appendedBytes();
                if (highWatermarkAtStart != null) {
                    highWatermarkAtStart[i] = p == null ? 0 : p.highWatermark();
                }
                i++;
            }
        }

        /**
         * An estimate, like Kafka's: bytes seen at park time plus bytes appended since. It may
         * count a little twice, which only answers a long poll early. For a consumer a
         * partition's appends count only once its high watermark moved, so that writes not yet
         * replicated do not answer it with nothing.
         */
        boolean satisfied() {
            long bytes = bytesAtPark;
            for (int i = 0; i < partitions.length; i++) {
                Partition p = partitions[i];
                if (p != null && (highWatermarkAtStart == null || p.highWatermark() > highWatermarkAtStart[i])) {
                    bytes += p.appendedBytes() - appendedAtStart[i];
                }
            }
            return bytes >= request.minBytes();
        }
    }
}
