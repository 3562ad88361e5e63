package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

import io.samsa.api.storage.LogConfig;

/**
 * One cleaning of a log, on the cleaner thread and without the log's lock: maps each key of the
 * dirty records to its latest offset ({@link OffsetMap}), then rewrites the sealed segments from
 * the log start up to where the map reached, in groups of consecutive segments whose bytes fit
 * in {@code segment.bytes} together (as Kafka groups them: the first cleaning of full segments
 * merges nothing, later ones merge what it shrank), through {@link CompactionFilter}. Each group
 * is written as {@code .cleaned} files and handed to {@link LogCompactor#install} to be swapped
 * in under the lock. A group of one segment the filter would leave as it is stays untouched.
 * Every chunk read and every batch written is paid for at the engine's {@link CleanerThrottle}.
 */
final class CompactionPass {

    /** 2M slots of 24 bytes: at most 48 MiB for one cleaning, 1.5M distinct keys per pass. */
    static final int MAX_MAP_SLOTS = 1 << 21;

    /** A sealed segment as the plan saw it; it is replaced only when still so at the swap. */
    record Source(LogSegment segment, int size, long nextOffset) {
    }

    private final LogCompactor compactor;
    private final FileAccess access;
    private final Path dir;
    private final List<Source> sources;
    private final long firstDirty;
    private final LogConfig config;
    private final long nowMs;
    private final long truncationsAtPlan;
    private final CleanerThrottle throttle;
    private final Map<Long, Long> lastBatchOfProducer = new HashMap<>();
    private OffsetMap map;
    private long dirtyEnd;
    private long tombstonesDueMs = Long.MAX_VALUE;
    private long bytesBefore;
    private long bytesAfter;
    private int groups;

    /**
     * @param sources    the sealed segments, oldest first
     * @param firstDirty the offset from which records are dirty (the cleaned offset)
     * @param truncationsAtPlan the log's truncation count when the plan was made
     * @param throttle   the rate this cleaning's I/O is held to
     */
    CompactionPass(LogCompactor compactor, FileAccess access, Path dir, List<Source> sources, long firstDirty,
            LogConfig config, long nowMs, long truncationsAtPlan, CleanerThrottle throttle) {
        this.compactor = compactor;
        this.access = access;
        this.dir = dir;
        this.sources = sources;
        this.firstDirty = firstDirty;
        this.config = config;
        this.nowMs = nowMs;
        this.truncationsAtPlan = truncationsAtPlan;
        this.throttle = throttle;
    }

    /** The offset below which the log is now compacted. */
    long dirtyEnd() {
        return dirtyEnd;
    }

    /** The earliest delete horizon of the tombstones kept; {@code Long.MAX_VALUE} when none. */
    long tombstonesDueMs() {
        return tombstonesDueMs;
    }

    String summary() {
        int segments = (int) sources.stream().filter(s -> s.segment().baseOffset() < dirtyEnd).count();
        return segments + " segment(s) of " + bytesBefore + " bytes into " + groups + " of " + bytesAfter + " bytes, "
                + map.size() + " keys";
    }

    /**
     * Runs the cleaning.
     *
     * @throws CancellationException when the log closes or changed under a group being cleaned
     */
    void run() throws IOException {
        long dirtyOffsets = sources.get(sources.size() - 1).nextOffset() - firstDirty;
        map = new OffsetMap((int) Math.min(MAX_MAP_SLOTS, dirtyOffsets / OffsetMap.LOAD_FACTOR + 1));
        try (BufferSupplier buffers = BufferSupplier.create()) {
            dirtyEnd = buildMap(buffers);
            for (List<Source> group : groups()) {
                cleanGroup(group, buffers);
                groups++;
            }
        }
    }

    /**
     * Maps the keys of the dirty records to their latest offsets and finds each producer's
     * last batch.
     *
     * @return the offset up to which the map covers the dirty records: where a full map stopped,
     *         or the end of the sealed segments
     */
    private long buildMap(BufferSupplier buffers) throws IOException {
        for (Source src : sources) {
            BatchChunks chunks = new BatchChunks(src.segment().records(), src.size());
            for (ByteBuffer chunk = chunks.next(); chunk != null; chunk = chunks.next()) {
                compactor.checkStopped();
                throttle(chunk.remaining());
                for (MutableRecordBatch batch : MemoryRecords.readableRecords(chunk).batches()) {
                    if (batch.isControlBatch()) {
                        continue;
                    }
                    if (batch.hasProducerId()) {
                        lastBatchOfProducer.merge(batch.producerId(), batch.lastOffset(), Math::max);
                    }
                    // a transactional record may yet be aborted, and there is no transaction
                    // index to tell: it never makes an older record of its key go
                    boolean maps = batch.lastOffset() >= firstDirty && !batch.isTransactional();
                    long full = maps ? mapKeys(batch, buffers) : -1;
                    if (full >= 0) {
                        return full;
                    }
                }
            }
        }
        return sources.get(sources.size() - 1).nextOffset();
    }

    /** @return the offset of the first record the full map refused, or -1 */
    private long mapKeys(RecordBatch batch, BufferSupplier buffers) {
        try (CloseableIterator<Record> records = batch.streamingIterator(buffers)) {
            while (records.hasNext()) {
                Record r = records.next();
                if (r.hasKey() && r.offset() >= firstDirty && !map.put(r.key(), r.offset())) {
                    return r.offset();
                }
            }
        }
        return -1;
    }

    /** Consecutive segments below {@link #dirtyEnd} whose bytes fit in one segment together. */
    private List<List<Source>> groups() {
        List<List<Source>> out = new ArrayList<>();
        List<Source> group = new ArrayList<>();
        long bytes = 0;
        for (Source src : sources) {
            if (src.segment().baseOffset() >= dirtyEnd) {
                break;
            }
            if (!group.isEmpty() && (bytes + src.size() > config.segmentBytes()
                    || src.nextOffset() - 1 - group.get(0).segment().baseOffset() > Integer.MAX_VALUE)) {
                out.add(group);
                group = new ArrayList<>();
                bytes = 0;
            }
            group.add(src);
            bytes += src.size();
        }
        if (!group.isEmpty()) {
            out.add(group);
        }
        return out;
    }

    /** Writes the group's kept batches into a {@code .cleaned} segment and has it swapped in. */
    private void cleanGroup(List<Source> group, BufferSupplier buffers) throws IOException {
        long base = group.get(0).segment().baseOffset();
        long lastOffset = group.get(group.size() - 1).nextOffset() - 1;
        CompactionFilter filter = new CompactionFilter(nowMs, config.deleteRetentionMs(), map, lastBatchOfProducer,
                lastOffset);
        LogSegment cleaned = LogSegment.createCleaned(access, dir, base, config, nowMs);
        boolean swapped = false;
        try {
            long bytesIn = 0;
            ByteBuffer out = ByteBuffer.allocate(BatchChunks.CHUNK_BYTES);
            for (Source src : group) {
                BatchChunks chunks = new BatchChunks(src.segment().records(), src.size());
                for (ByteBuffer chunk = chunks.next(); chunk != null; chunk = chunks.next()) {
                    compactor.checkStopped();
                    throttle(chunk.remaining());
                    bytesIn += chunk.remaining();
                    out = filter(chunk, filter, out, cleaned, buffers);
                }
            }
            bytesBefore += bytesIn;
            tombstonesDueMs = Math.min(tombstonesDueMs, filter.tombstonesDueMs());
            if (group.size() == 1 && !filter.dropsOrStamps() && cleaned.size() == bytesIn) {
                bytesAfter += bytesIn;
                return;
            }
            cleaned.onBecomeInactive();
            bytesAfter += cleaned.size();
            cleaned.close();
            // retention by time falls back on the file's age when records carry no timestamp:
            // a rewrite must not make old data look new (as Kafka's cleaner keeps it too)
            Files.setLastModifiedTime(cleaned.file(), newestModification(group));
            swapped = compactor.install(group, base, config, nowMs, truncationsAtPlan);
            if (!swapped) {
                throw new CancellationException("the log changed while segment " + base + " was cleaned");
            }
        } finally {
            if (!swapped && !compactor.failed()) {
                cleaned.close();
                SegmentSwap.discard(dir, base);
            }
        }
    }

    /** @throws CancellationException when the cleaner thread is interrupted while held back */
    private void throttle(long bytes) {
        try {
            throttle.acquire(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("the cleaner thread was interrupted");
        }
    }

    private static FileTime newestModification(List<Source> group) throws IOException {
        FileTime newest = FileTime.fromMillis(0);
        for (Source src : group) {
            try {
                FileTime t = Files.getLastModifiedTime(src.segment().file());
                newest = t.compareTo(newest) > 0 ? t : newest;
            } catch (NoSuchFileException e) {
                throw new CancellationException("segment " + src.segment().file() + " was deleted while it was cleaned");
            }
        }
        return newest;
    }

    /** Filters the whole batches of {@code chunk} and appends what is kept to {@code cleaned}. */
    private ByteBuffer filter(ByteBuffer chunk, CompactionFilter filter, ByteBuffer out, LogSegment cleaned,
            BufferSupplier buffers) throws IOException {
        ByteBuffer buf = out;
        int pos = 0;
        while (pos < chunk.limit()) {
            buf.clear();
            MemoryRecords in = MemoryRecords.readableRecords(chunk.duplicate().position(pos).slice());
            MemoryRecords.FilterResult result = in.filterTo(filter, buf, buffers, Records.SOFT_MAX_ARRAY_LENGTH);
            // filterTo stops early when it had to grow the buffer; go on from where it stopped
            buf = result.outputBuffer();
            buf.flip();
            if (buf.hasRemaining()) {
                throttle(buf.remaining());
                cleaned.append(buf, 0, buf.limit(), StoredBatches.lastOffsetOfLast(buf, 0, buf.limit()),
                        config.indexIntervalBytes());
            }
            if (result.bytesRead() <= 0) {
                throw new IllegalStateException("Filtering the batches of " + cleaned + " made no progress");
            }
            pos += result.bytesRead();
        }
        return buf;
    }
}
