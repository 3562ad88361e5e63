package io.samsa.group;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.storage.LogSlice;

/** A PartitionService keeping appended batches in memory, one list per partition. */
final class InMemoryPartitions implements PartitionService {
    private final Map<TopicPartition, List<ByteBuffer>> logs = new HashMap<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();
    /** When set, appends fail with this error. */
    volatile Errors failAppends = Errors.NONE;
    /** When true, append futures stay pending until {@link #releaseHeld()}. */
    volatile boolean holdAppends;
    private final List<Runnable> held = new ArrayList<>();
    /** Fetches complete once this does: lets a test observe a coordinator still loading. */
    volatile CompletableFuture<Void> fetchGate = CompletableFuture.completedFuture(null);

    @Override
    public synchronized CompletableFuture<Map<TopicPartition, ProduceResult>> append(
            Map<TopicPartition, ByteBuffer> records, short requiredAcks, int timeoutMs, boolean internal) {
        if (requiredAcks != -1 || !internal) {
            throw new AssertionError("coordinator writes must be internal with acks=all");
        }
        Map<TopicPartition, ProduceResult> results = new HashMap<>();
        for (Map.Entry<TopicPartition, ByteBuffer> e : records.entrySet()) {
            if (failAppends != Errors.NONE) {
                results.put(e.getKey(), ProduceResult.error(failAppends, null));
                continue;
            }
            long base = next.getOrDefault(e.getKey(), 0L);
            long offset = base;
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(e.getValue()).batches()) {
                batch.ensureValid();
                int count = 0;
                for (Record ignored : batch) {
                    count++;
                }
                batch.setLastOffset(offset + count - 1);
                ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(copy);
                copy.flip();
                logs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(copy);
                offset += count;
            }
            next.put(e.getKey(), offset);
            results.put(e.getKey(), new ProduceResult(Errors.NONE, null, base, -1L, 0L));
        }
        CompletableFuture<Map<TopicPartition, ProduceResult>> f = new CompletableFuture<>();
        if (holdAppends) {
            held.add(() -> f.complete(results));
        } else {
            f.complete(results);
        }
        return f;
    }

    void releaseHeld() {
        List<Runnable> todo;
        synchronized (this) {
            todo = new ArrayList<>(held);
            held.clear();
            holdAppends = false;
        }
        todo.forEach(Runnable::run);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs,
            int minBytes, int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions) {
        return fetchGate.thenApply(v -> read(partitions));
    }

    private synchronized Map<TopicPartition, FetchResult> read(Map<TopicPartition, FetchPosition> partitions) {
        Map<TopicPartition, FetchResult> out = new HashMap<>();
        for (Map.Entry<TopicPartition, FetchPosition> e : partitions.entrySet()) {
            long hw = next.getOrDefault(e.getKey(), 0L);
            List<ByteBuffer> chosen = new ArrayList<>();
            int size = 0;
            for (ByteBuffer b : logs.getOrDefault(e.getKey(), List.of())) {
                MutableRecordBatch batch = MemoryRecords.readableRecords(b.duplicate()).batches().iterator().next();
                if (batch.lastOffset() < e.getValue().fetchOffset()) {
                    continue;
                }
                if (!chosen.isEmpty() && size + b.remaining() > e.getValue().maxBytes()) {
                    break;
                }
                chosen.add(b);
                size += b.remaining();
            }
            ByteBuffer all = ByteBuffer.allocate(size);
            chosen.forEach(b -> all.put(b.duplicate()));
            all.flip();
            out.put(e.getKey(), new FetchResult(Errors.NONE, hw, hw, 0L, new HeapSlice(all)));
        }
        return out;
    }

    @Override
    public synchronized OffsetLookup listOffset(TopicPartition partition, long timestamp, IsolationLevel isolation) {
        long offset = timestamp == -2L ? 0L : next.getOrDefault(partition, 0L);
        return new OffsetLookup(Errors.NONE, -1L, offset, -1);
    }

    @Override
    public OffsetLookup deleteRecords(TopicPartition partition, long offset) {
        return OffsetLookup.error(Errors.UNSUPPORTED_VERSION);
    }

    @Override
    public io.samsa.api.broker.EpochLookup offsetForLeaderEpoch(TopicPartition partition, int currentLeaderEpoch,
            int leaderEpoch) {
        return io.samsa.api.broker.EpochLookup.error(Errors.UNSUPPORTED_VERSION);
    }

    @Override
    public List<io.samsa.api.broker.LogDirDescription> describeLogDirs() {
        return List.of();
    }

    /** Every record of a partition, in order: key and value (null for a tombstone). */
    synchronized List<Record> records(TopicPartition tp) {
        List<Record> out = new ArrayList<>();
        for (ByteBuffer b : logs.getOrDefault(tp, List.of())) {
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(b.duplicate()).batches()) {
                for (Record r : batch) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** A slice over a heap buffer. */
    private static final class HeapSlice implements LogSlice {
        private final ByteBuffer data;

        HeapSlice(ByteBuffer data) {
            this.data = data;
        }

        @Override
        public int sizeInBytes() {
            return data.remaining();
        }

        @Override
        public long transferTo(WritableByteChannel target, long position, long count) throws IOException {
            ByteBuffer d = data.duplicate();
            d.position((int) position).limit((int) Math.min(d.limit(), position + count));
            return target.write(d);
        }

        @Override
        public void readInto(ByteBuffer destination, int position) {
            ByteBuffer d = data.duplicate();
            d.position(position);
            if (d.remaining() > destination.remaining()) {
                d.limit(d.position() + destination.remaining());
            }
            destination.put(d);
        }
    }
}
