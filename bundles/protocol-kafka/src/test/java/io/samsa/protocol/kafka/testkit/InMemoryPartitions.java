package io.samsa.protocol.kafka.testkit;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.LogDirDescription;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;

/** A toy PartitionService: logs on the heap, long polls on a monitor, no replication. */
public final class InMemoryPartitions implements PartitionService {

    private final Map<TopicPartition, InMemoryLog> logs = new HashMap<>();
    private final ExecutorService pollers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-fetch-poller");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong bytesToSockets = new AtomicLong();
    private final AtomicLong directAppends = new AtomicLong();
    private final AtomicLong bytesToOtherChannels = new AtomicLong();
    private final AtomicLong fetches = new AtomicLong();

    synchronized void createLog(TopicPartition tp) {
        logs.putIfAbsent(tp, new InMemoryLog());
    }

    synchronized void dropLogs(String topic) {
        logs.keySet().removeIf(tp -> tp.topic().equals(topic));
    }

    void recordTransfer(WritableByteChannel target, int written) {
        (target instanceof SocketChannel ? bytesToSockets : bytesToOtherChannels).addAndGet(written);
    }

    /** Record bytes written by LogSlice.transferTo straight to a SocketChannel. */
    public long bytesTransferredToSockets() {
        return bytesToSockets.get();
    }

    public long bytesTransferredToOtherChannels() {
        return bytesToOtherChannels.get();
    }

    /** Fetch calls the front end made. */
    public long fetches() {
        return fetches.get();
    }

    /** Appends handed a direct buffer: the connection's read buffer itself, not a heap copy. */
    public long directAppends() {
        return directAppends.get();
    }

    @Override
    public synchronized CompletableFuture<Map<TopicPartition, ProduceResult>> append(
            Map<TopicPartition, ByteBuffer> records, short requiredAcks, int timeoutMs, boolean internal) {
        Map<TopicPartition, ProduceResult> results = new HashMap<>();
        records.forEach((tp, buffer) -> {
            if (buffer.isDirect()) {
                directAppends.incrementAndGet();
            }
            InMemoryLog log = logs.get(tp);
            if (log == null) {
                results.put(tp, ProduceResult.error(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No partition " + tp));
                return;
            }
            try {
                long base = log.append(buffer);
                results.put(tp, new ProduceResult(Errors.NONE, null, base, -1, log.logStartOffset));
            } catch (CorruptRecordException e) {
                results.put(tp, ProduceResult.error(Errors.CORRUPT_MESSAGE, e.getMessage()));
            }
        });
        notifyAll();
        return CompletableFuture.completedFuture(results);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs, int minBytes,
            int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions) {
        fetches.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> poll(maxWaitMs, minBytes, maxBytes, partitions), pollers);
    }

    private synchronized Map<TopicPartition, FetchResult> poll(long maxWaitMs, int minBytes, int maxBytes,
            Map<TopicPartition, FetchPosition> partitions) {
        long deadline = System.currentTimeMillis() + maxWaitMs;
        while (true) {
            Map<TopicPartition, FetchResult> results = new LinkedHashMap<>();
            int total = 0;
            boolean error = false;
            for (Map.Entry<TopicPartition, FetchPosition> entry : partitions.entrySet()) {
                FetchResult result = read(entry.getKey(), entry.getValue(), Math.max(0, maxBytes - total),
                        total == 0);
                error |= result.error() != Errors.NONE;
                total += result.records().sizeInBytes();
                results.put(entry.getKey(), result);
            }
            long left = deadline - System.currentTimeMillis();
            if (total >= minBytes || error || left <= 0) {
                return results;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return results;
            }
        }
    }

    private FetchResult read(TopicPartition tp, FetchPosition position, int budget, boolean first) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            return FetchResult.error(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (position.fetchOffset() < log.logStartOffset || position.fetchOffset() > log.nextOffset) {
            return FetchResult.error(Errors.OFFSET_OUT_OF_RANGE);
        }
        ByteBuffer bytes = (budget <= 0 && !first) ? ByteBuffer.allocate(0)
                : log.read(position.fetchOffset(), Math.min(position.maxBytes(), first ? position.maxBytes() : budget));
        return new FetchResult(Errors.NONE, log.nextOffset, log.nextOffset, log.logStartOffset,
                new HeapLogSlice(bytes, this));
    }

    @Override
    public synchronized OffsetLookup listOffset(TopicPartition tp, long timestamp, IsolationLevel isolation) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            return OffsetLookup.error(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (timestamp == -2 || timestamp == -4) {
            return new OffsetLookup(Errors.NONE, -1, log.logStartOffset, 0);
        }
        if (timestamp == -1 || timestamp == -5) {
            return new OffsetLookup(Errors.NONE, -1, log.nextOffset, 0);
        }
        if (timestamp == -3) {
            long[] max = log.maxTimestamp();
            return max == null ? new OffsetLookup(Errors.NONE, -1, -1, -1)
                    : new OffsetLookup(Errors.NONE, max[2], max[1], 0);
        }
        long offset = log.offsetForTimestamp(timestamp);
        return new OffsetLookup(Errors.NONE, offset < 0 ? -1 : timestamp, offset, offset < 0 ? -1 : 0);
    }

    @Override
    public synchronized OffsetLookup deleteRecords(TopicPartition tp, long offset) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            return OffsetLookup.error(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        long target = offset == -1 ? log.nextOffset : offset;
        if (target < 0 || target > log.nextOffset) {
            return OffsetLookup.error(Errors.OFFSET_OUT_OF_RANGE);
        }
        log.logStartOffset = Math.max(log.logStartOffset, target);
        return new OffsetLookup(Errors.NONE, -1, log.logStartOffset, 0);
    }

    /** Every batch here is in epoch 0: it ends at the log end; later epochs are unknown. */
    @Override
    public synchronized EpochLookup offsetForLeaderEpoch(TopicPartition tp, int currentLeaderEpoch, int leaderEpoch) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            return EpochLookup.error(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (currentLeaderEpoch > 0) {
            return EpochLookup.error(Errors.UNKNOWN_LEADER_EPOCH);
        }
        return leaderEpoch == 0 ? new EpochLookup(Errors.NONE, 0, log.nextOffset) : new EpochLookup(Errors.NONE, -1, -1);
    }

    /** Every log in one online dir, next to a dir that is offline. */
    @Override
    public synchronized List<LogDirDescription> describeLogDirs() {
        Map<TopicPartition, Long> sizes = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        logs.forEach((tp, log) -> sizes.put(tp, log.sizeInBytes()));
        return List.of(new LogDirDescription(ONLINE_DIR, Errors.NONE, 1L << 40, 1L << 39, sizes),
                new LogDirDescription(OFFLINE_DIR, Errors.KAFKA_STORAGE_ERROR, -1, -1, Map.of()));
    }

    public static final String ONLINE_DIR = "/in-memory/logs";
    public static final String OFFLINE_DIR = "/in-memory/failed-disk";

    public void close() {
        pollers.shutdownNow();
    }
}
