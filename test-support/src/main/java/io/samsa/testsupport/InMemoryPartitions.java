package io.samsa.testsupport;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.LogDirDescription;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;

/**
 * A {@link PartitionService} for tests: one broker's logs on the heap, long polls on a monitor,
 * no replication. Partitions exist once {@link InMemoryCluster} creates their topic (or
 * {@link #createLog} is called). Tests can make appends fail or wait, hold fetches back, and
 * read back what was appended; counters show which transfer path the front end used.
 */
public final class InMemoryPartitions implements PartitionService {
    public static final String ONLINE_DIR = "/in-memory/logs";
    public static final String OFFLINE_DIR = "/in-memory/failed-disk";

    /** One call of {@link #append}: the partitions written, with the acks and internal flag asked for. */
    public record AppendCall(Set<TopicPartition> partitions, short requiredAcks, boolean internal) {
    }

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
    private final List<AppendCall> appendCalls = new CopyOnWriteArrayList<>();

    private Errors appendFailure = Errors.NONE;
    private boolean holdingAppends;
    private final List<Runnable> heldAppends = new ArrayList<>();
    private CompletableFuture<Void> fetchGate = CompletableFuture.completedFuture(null);

    public synchronized void createLog(TopicPartition tp) {
        logs.putIfAbsent(tp, new InMemoryLog());
    }

    public synchronized void dropLogs(String topic) {
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

    /** Fetch calls made so far. */
    public long fetches() {
        return fetches.get();
    }

    /** Appends handed a direct buffer: the connection's read buffer itself, not a heap copy. */
    public long directAppends() {
        return directAppends.get();
    }

    /** Every append so far, in order. */
    public List<AppendCall> appendCalls() {
        return List.copyOf(appendCalls);
    }

    /** From now on every partition of an append fails with {@code error}; {@link Errors#NONE} ends that. */
    public synchronized void failAppends(Errors error) {
        appendFailure = error;
    }

    /** Appends are written at once but their results wait for {@link #releaseAppends()}. */
    public synchronized void holdAppends() {
        holdingAppends = true;
    }

    /** Completes the held appends, in order, and stops holding. */
    public void releaseAppends() {
        List<Runnable> todo;
        synchronized (this) {
            todo = new ArrayList<>(heldAppends);
            heldAppends.clear();
            holdingAppends = false;
        }
        todo.forEach(Runnable::run);
    }

    /** Fetches started from now on wait for {@link #releaseFetches()}: a reader is seen still reading. */
    public synchronized void holdFetches() {
        if (fetchGate.isDone()) {
            fetchGate = new CompletableFuture<>();
        }
    }

    public void releaseFetches() {
        CompletableFuture<Void> gate;
        synchronized (this) {
            gate = fetchGate;
        }
        gate.complete(null);
    }

    @Override
    public synchronized CompletableFuture<Map<TopicPartition, ProduceResult>> append(
            Map<TopicPartition, ByteBuffer> records, short requiredAcks, int timeoutMs, boolean internal) {
        appendCalls.add(new AppendCall(Set.copyOf(records.keySet()), requiredAcks, internal));
        Map<TopicPartition, ProduceResult> results = new HashMap<>();
        records.forEach((tp, buffer) -> {
            if (buffer.isDirect()) {
                directAppends.incrementAndGet();
            }
            InMemoryLog log = logs.get(tp);
            if (appendFailure != Errors.NONE) {
                results.put(tp, ProduceResult.error(appendFailure, "Appends to " + tp + " fail in this test"));
                return;
            }
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
        CompletableFuture<Map<TopicPartition, ProduceResult>> f = new CompletableFuture<>();
        if (holdingAppends) {
            heldAppends.add(() -> f.complete(results));
        } else {
            f.complete(results);
        }
        return f;
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs, int minBytes,
            int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions) {
        fetches.incrementAndGet();
        CompletableFuture<Void> gate;
        synchronized (this) {
            gate = fetchGate;
        }
        return gate.thenApplyAsync(v -> poll(maxWaitMs, minBytes, maxBytes, partitions), pollers);
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
        long hw = log.highWatermark();
        ByteBuffer bytes = (budget <= 0 && !first) || position.fetchOffset() >= hw ? ByteBuffer.allocate(0)
                : log.read(position.fetchOffset(), Math.min(position.maxBytes(), first ? position.maxBytes() : budget),
                        hw);
        return new FetchResult(Errors.NONE, hw, hw, log.logStartOffset, new HeapLogSlice(bytes, this));
    }

    /**
     * Holds the high watermark of {@code tp} at {@code offset}, as a new leader's trails its log end
     * until its followers fetch again: fetches read below it only. {@code -1} lets it follow the log
     * end again and wakes parked fetches.
     */
    public synchronized void holdHighWatermark(TopicPartition tp, long offset) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            throw new IllegalArgumentException("no log of " + tp);
        }
        log.heldHighWatermark = offset;
        notifyAll();
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
            return new OffsetLookup(Errors.NONE, -1, log.highWatermark(), 0);
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

    /**
     * Every batch here is in epoch 0; a later epoch started by {@link #startLeaderEpoch} holds no
     * batch. The current epoch ends at the log end, epoch 0 where the current one began.
     */
    @Override
    public synchronized EpochLookup offsetForLeaderEpoch(TopicPartition tp, int currentLeaderEpoch, int leaderEpoch) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            return EpochLookup.error(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (currentLeaderEpoch > log.leaderEpoch) {
            return EpochLookup.error(Errors.UNKNOWN_LEADER_EPOCH);
        }
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch < log.leaderEpoch) {
            return EpochLookup.error(Errors.FENCED_LEADER_EPOCH);
        }
        if (leaderEpoch == log.leaderEpoch) {
            return new EpochLookup(Errors.NONE, log.leaderEpoch, log.nextOffset);
        }
        return leaderEpoch >= 0 && leaderEpoch < log.leaderEpoch ? new EpochLookup(Errors.NONE, 0, log.leaderEpochStart)
                : new EpochLookup(Errors.NONE, -1, -1);
    }

    /** This broker leads {@code tp} from {@code epoch} on, starting at the log end: a leader change. */
    public synchronized void startLeaderEpoch(TopicPartition tp, int epoch) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            throw new IllegalArgumentException("no log of " + tp);
        }
        if (epoch <= log.leaderEpoch) {
            throw new IllegalArgumentException("leader epoch " + epoch + " of " + tp + " is not above "
                    + log.leaderEpoch);
        }
        log.leaderEpoch = epoch;
        log.leaderEpochStart = log.nextOffset;
    }

    /** Every log in one online dir, next to a dir that is offline. */
    @Override
    public synchronized List<LogDirDescription> describeLogDirs() {
        Map<TopicPartition, Long> sizes = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        logs.forEach((tp, log) -> sizes.put(tp, log.sizeInBytes()));
        return List.of(new LogDirDescription(ONLINE_DIR, Errors.NONE, 1L << 40, 1L << 39, sizes),
                new LogDirDescription(OFFLINE_DIR, Errors.KAFKA_STORAGE_ERROR, -1, -1, Map.of()));
    }

    /** Every record of a partition from its log start, in order; a tombstone has no value. */
    public synchronized List<Record> records(TopicPartition tp) {
        InMemoryLog log = logs.get(tp);
        if (log == null) {
            throw new IllegalArgumentException("No partition " + tp + "; create its topic first");
        }
        List<Record> out = new ArrayList<>();
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(log.read(log.logStartOffset, Integer.MAX_VALUE)).batches()) {
            for (Record r : batch) {
                out.add(r);
            }
        }
        return out;
    }

    public void close() {
        pollers.shutdownNow();
    }
}
