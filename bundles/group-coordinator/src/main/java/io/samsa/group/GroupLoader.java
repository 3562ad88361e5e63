package io.samsa.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;

/**
 * Rebuilds the groups of one {@code __consumer_offsets} partition by reading it from its start:
 * a later record for a key replaces an earlier one and a tombstone deletes it.
 */
final class GroupLoader {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLoader.class);
    /** Bytes read per fetch while loading (Kafka's offsets.load.buffer.size). */
    static final int LOAD_BYTES = 5 * 1024 * 1024;

    private final PartitionService partitions;
    private final Executor executor;

    GroupLoader(PartitionService partitions, Executor executor) {
        this.partitions = partitions;
        this.executor = executor;
    }

    /**
     * The partition's groups as the log holds them, read to the log end offset this leader had
     * when the load began (Kafka's group load reads to the log end). A new leader's high watermark
     * may trail its log end until its followers fetch again, and a commit acknowledged by the old
     * leader may sit in between: the load waits for the high watermark to pass it (long polls,
     * no thread held), so that no acknowledged commit is missed and nothing uncommitted is served.
     * A leadership change during the load fails it (the fetches carry {@code leaderEpoch}).
     */
    CompletableFuture<List<ClassicGroup>> load(int partition, int leaderEpoch, long now) {
        TopicPartition tp = new TopicPartition(CoordinatorLog.TOPIC, partition);
        return CompletableFuture.supplyAsync(() -> {
            OffsetLookup start = partitions.listOffset(tp, -2L, IsolationLevel.READ_UNCOMMITTED);
            if (start.error() != Errors.NONE) {
                throw new CompletionException(start.error().exception("Cannot load " + tp));
            }
            EpochLookup end = partitions.offsetForLeaderEpoch(tp, leaderEpoch, leaderEpoch);
            if (end.error() != Errors.NONE) {
                throw new CompletionException(end.error().exception("Cannot find the log end of " + tp
                        + " in leader epoch " + leaderEpoch));
            }
            // No epoch recorded (a log written before epochs were kept): read to the high watermark.
            return new long[] {Math.max(start.offset(), 0), end.leaderEpoch() == leaderEpoch ? end.endOffset() : -1};
        }, executor).thenCompose(range -> {
            Replay replay = new Replay();
            return readFrom(tp, leaderEpoch, range[0], range[1], replay).thenApply(v -> replay.groups(partition, now));
        });
    }

    /** How long one read of a load waits for the high watermark to move. */
    static final long LOAD_WAIT_MS = 500;

    private CompletableFuture<Void> readFrom(TopicPartition tp, int leaderEpoch, long offset, long end, Replay replay) {
        if (end >= 0 && offset >= end) {
            return CompletableFuture.completedFuture(null);
        }
        long wait = end >= 0 ? LOAD_WAIT_MS : 0;
        return partitions.fetch(-1, wait, end >= 0 ? 1 : 0, LOAD_BYTES, IsolationLevel.READ_UNCOMMITTED,
                Map.of(tp, new FetchPosition(offset, LOAD_BYTES, leaderEpoch))).thenComposeAsync(results -> {
                    FetchResult r = results.get(tp);
                    if (r == null || r.error() != Errors.NONE) {
                        Errors e = r == null ? Errors.UNKNOWN_SERVER_ERROR : r.error();
                        throw new CompletionException(e.exception("Cannot read " + tp + " at " + offset));
                    }
                    int size = r.records().sizeInBytes();
                    if (size == 0) {
                        // Below the end: the high watermark has not reached it yet; poll again.
                        return end >= 0 ? readFrom(tp, leaderEpoch, offset, end, replay)
                                : CompletableFuture.completedFuture(null);
                    }
                    ByteBuffer buffer = ByteBuffer.allocate(size);
                    try {
                        r.records().readInto(buffer, 0);
                    } catch (java.io.IOException e) {
                        throw new CompletionException(e);
                    }
                    buffer.position(0).limit(size);
                    long next = replay.apply(MemoryRecords.readableRecords(buffer), offset);
                    if (next <= offset || end < 0 && next >= r.highWatermark()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return readFrom(tp, leaderEpoch, next, end, replay);
                }, executor);
    }

    /** The latest value of every key seen so far. */
    private static final class Replay {
        final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new HashMap<>();
        final Map<String, StoredGroup> metadata = new HashMap<>();

        /** @return the offset after the last batch applied */
        long apply(MemoryRecords records, long from) {
            long next = from;
            for (MutableRecordBatch batch : records.batches()) {
                next = batch.nextOffset();
                if (batch.isControlBatch() || batch.isTransactional()) {
                    continue;
                }
                for (Record record : batch) {
                    if (record.offset() >= from && record.hasKey()) {
                        applyRecord(record);
                    }
                }
            }
            return next;
        }

        private void applyRecord(Record record) {
            CoordinatorRecords.Key key;
            try {
                key = CoordinatorRecords.parseKey(record.key());
                if (key == null) {
                    return;
                }
                if (key.isOffset()) {
                    if (record.hasValue()) {
                        offsets.computeIfAbsent(key.group(), g -> new HashMap<>()).put(key.partition(),
                                CoordinatorRecords.parseOffsetValue(record.value(), record.offset()));
                    } else {
                        Map<TopicPartition, CommittedOffset> m = offsets.get(key.group());
                        if (m != null) {
                            m.remove(key.partition());
                        }
                    }
                } else if (record.hasValue()) {
                    metadata.put(key.group(), CoordinatorRecords.parseGroupValue(record.value()));
                } else {
                    metadata.remove(key.group());
                }
            } catch (RuntimeException e) {
                LOG.warn("Skipping unreadable record at offset {} of {}", record.offset(), CoordinatorLog.TOPIC, e);
            }
        }

        List<ClassicGroup> groups(int partition, long now) {
            Set<String> ids = new HashSet<>(metadata.keySet());
            offsets.forEach((id, m) -> {
                if (!m.isEmpty()) {
                    ids.add(id);
                }
            });
            List<ClassicGroup> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                out.add(ClassicGroup.restore(id, partition, now, metadata.get(id),
                        offsets.getOrDefault(id, Map.of())));
            }
            return out;
        }
    }
}
