package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.api.storage.TimestampOffset;

/**
 * One segment of a partition log: the {@code .log} file of record batches starting at
 * {@link #baseOffset()}, with its offset and time indexes, as Kafka's LogSegment.
 * <p>
 * Appends, truncation and recovery come from the log's single writer. Readers use the
 * published size and next offset: the writer sets the next offset before the size, and readers
 * read the size first, so every batch a reader can see ends below the next offset it reads.
 */
final class LogSegment {

    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";

    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);
    private static final int CRC_CHUNK = 64 * 1024;

    private final long baseOffset;
    private final RecordFile log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final long createdMs;
    private final int maxIndexSize;
    private volatile long nextOffset;
    private volatile long maxTimestampSoFar = TimeIndex.NO_TIMESTAMP;
    /** Last offset of the first batch that reached {@link #maxTimestampSoFar}. */
    private volatile long offsetOfMaxTimestampSoFar = -1;
    private long rollingBasedTimestamp = TimeIndex.NO_TIMESTAMP;
    private int bytesSinceLastIndexEntry;

    private LogSegment(long baseOffset, RecordFile log, OffsetIndex offsetIndex, TimeIndex timeIndex,
            int maxIndexSize, long nowMs) {
        this.baseOffset = baseOffset;
        this.maxIndexSize = maxIndexSize;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.createdMs = nowMs;
        this.nextOffset = baseOffset;
    }

    static String fileName(long baseOffset, String suffix) {
        return String.format("%020d", baseOffset) + suffix;
    }

    /** Opens the segment files, creating missing ones; the caller then loads or recovers it. */
    static LogSegment open(FileAccess access, Path dir, long baseOffset, LogConfig config, boolean active, long nowMs)
            throws IOException {
        return open(access, dir, baseOffset, config, active, nowMs, "");
    }

    /**
     * Creates the empty segment the cleaner writes a compacted copy into: its files carry
     * {@code tail} ({@link SegmentSwap#CLEANED}) after the usual names until they are swapped in.
     */
    static LogSegment createCleaned(FileAccess access, Path dir, long baseOffset, LogConfig config, long nowMs)
            throws IOException {
        SegmentSwap.discard(dir, baseOffset);
        return open(access, dir, baseOffset, config, true, nowMs, SegmentSwap.CLEANED);
    }

    private static LogSegment open(FileAccess access, Path dir, long baseOffset, LogConfig config, boolean active,
            long nowMs, String tail) throws IOException {
        int maxIndexSize = config.segmentIndexBytes();
        RecordFile log = access.recordFiles().open(dir.resolve(fileName(baseOffset, LOG_SUFFIX) + tail),
                config.segmentBytes());
        OffsetIndex offsets = null;
        try {
            offsets = new OffsetIndex(dir.resolve(fileName(baseOffset, INDEX_SUFFIX) + tail), baseOffset, maxIndexSize,
                    active, access.unmapper());
            TimeIndex times = new TimeIndex(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX) + tail), baseOffset,
                    maxIndexSize, active, access.unmapper());
            return new LogSegment(baseOffset, log, offsets, times, maxIndexSize, nowMs);
        } catch (IOException | RuntimeException e) {
            if (offsets != null) {
                offsets.close();
            }
            log.close();
            throw e;
        }
    }

    /** Creates a new, empty active segment, replacing empty leftovers of an earlier one. */
    static LogSegment create(FileAccess access, Path dir, long baseOffset, LogConfig config, long nowMs)
            throws IOException {
        Path logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        if (Files.exists(logFile) && Files.size(logFile) > 0) {
            throw new IOException("Cannot create segment " + logFile + ": a non-empty file is already there");
        }
        Files.deleteIfExists(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)));
        Files.deleteIfExists(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)));
        return open(access, dir, baseOffset, config, true, nowMs);
    }

    long baseOffset() {
        return baseOffset;
    }

    long nextOffset() {
        return nextOffset;
    }

    int size() {
        return log.size();
    }

    Path file() {
        return log.file();
    }

    /** The record file, for the cleaner's sequential reads of a sealed segment. */
    RecordFile records() {
        return log;
    }

    long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    boolean indexesFull() {
        return offsetIndex.isFull() || timeIndex.isFull();
    }

    /** The newest record timestamp, or the file's modification time when records carry none. */
    long largestTimestamp() throws IOException {
        long max = maxTimestampSoFar;
        if (max >= 0) {
            return max;
        }
        try {
            return Files.getLastModifiedTime(log.file()).toMillis();
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** How long the segment has been filling, by record time when records carry it, as Kafka decides rolls. */
    long timeWaitedForRoll(long nowMs, long newestTimestamp) {
        return rollingBasedTimestamp >= 0 ? newestTimestamp - rollingBasedTimestamp : nowMs - createdMs;
    }

    /**
     * Writes whole batches {@code buf[start, end)} (offsets already final, {@code lastOffset}
     * the last of them) at the end of the file, indexes them, then publishes them.
     */
    void append(ByteBuffer buf, int start, int end, long lastOffset, int indexIntervalBytes) throws IOException {
        int physical = log.size();
        int newSize = log.write(buf, start, end);
        for (int p = start; p < end; ) {
            int size = RecordBatchLayout.sizeInBytes(buf, p);
            indexBatch(physical, RecordBatchLayout.lastOffset(buf, p), StoredBatches.indexedTimestamp(buf, p), size,
                    indexIntervalBytes);
            physical += size;
            p += size;
        }
        nextOffset = lastOffset + 1;
        log.commit(newSize);
    }

    private void indexBatch(int position, long lastOffset, long maxTimestamp, int size, int indexIntervalBytes) {
        if (position == 0) {
            rollingBasedTimestamp = maxTimestamp;
        }
        if (maxTimestamp > maxTimestampSoFar) {
            offsetOfMaxTimestampSoFar = lastOffset;
            maxTimestampSoFar = maxTimestamp;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            if (!offsetIndex.isFull()) {
                offsetIndex.append(lastOffset, position);
            }
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += size;
    }

    /**
     * Whole batches from the one holding {@code offset}: at least that batch, more while they
     * fit in {@code maxBytes} and start below {@code maxOffset}.
     *
     * @return the slice, {@link LogSlice#EMPTY} when the first batch starts at or beyond
     *         {@code maxOffset}, or null when no batch of this segment reaches {@code offset}
     */
    LogSlice read(long offset, int maxBytes, long maxOffset) throws IOException {
        int size = log.size();
        long next = nextOffset;
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        int start = findBatch(offset, header, size);
        if (start < 0) {
            return null;
        }
        if (RecordBatchLayout.baseOffset(header, 0) >= maxOffset) {
            return LogSlice.EMPTY;
        }
        long end = start + RecordBatchLayout.sizeInBytes(header, 0);
        // Jump to a batch boundary known to be within both limits, so only the headers of the
        // last index interval are read: batches before an index entry for an offset at most
        // maxOffset start below it, and an indexed position is where a batch starts.
        long safe = size;
        if (next > maxOffset) {
            safe = Math.min(safe, offsetIndex.lookup(maxOffset));
        }
        if (size - start > maxBytes) {
            safe = Math.min(safe, offsetIndex.floorPosition((long) start + maxBytes));
        }
        end = Math.max(end, safe);
        while (end + RecordBatchLayout.HEADER_SIZE <= size && BatchReader.readBatchHeader(log, header, (int) end)) {
            long batchEnd = end + RecordBatchLayout.sizeInBytes(header, 0);
            if (RecordBatchLayout.baseOffset(header, 0) >= maxOffset || batchEnd - start > maxBytes || batchEnd > size) {
                break;
            }
            end = batchEnd;
        }
        return log.slice(start, (int) (end - start));
    }

    /**
     * The position of the first batch whose last offset is at least {@code offset}, starting
     * from the offset index's entry; -1 when none. Leaves that batch's header in {@code header}.
     */
    private int findBatch(long offset, ByteBuffer header, int size) throws IOException {
        int pos = offsetIndex.lookup(offset);
        while (pos + RecordBatchLayout.HEADER_SIZE <= size && BatchReader.readBatchHeader(log, header, pos)) {
            if (RecordBatchLayout.lastOffset(header, 0) >= offset) {
                return pos;
            }
            pos += RecordBatchLayout.sizeInBytes(header, 0);
        }
        return -1;
    }

    /**
     * The first record at or after {@code startingOffset} whose timestamp is at least
     * {@code timestamp}, found through the time index; null when there is none here.
     */
    TimestampOffset findOffsetByTimestamp(long timestamp, long startingOffset) throws IOException {
        int size = log.size();
        int pos = offsetIndex.lookup(Math.max(timeIndex.lookup(timestamp), startingOffset));
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        while (pos + RecordBatchLayout.HEADER_SIZE <= size && BatchReader.readBatchHeader(log, header, pos)) {
            int batchSize = RecordBatchLayout.sizeInBytes(header, 0);
            if (RecordBatchLayout.maxTimestamp(header, 0) >= timestamp && RecordBatchLayout.lastOffset(header, 0) >= startingOffset) {
                TimestampOffset found = BatchReader.firstRecordAtOrAfter(log, pos, batchSize, timestamp, startingOffset);
                if (found != null) {
                    return found;
                }
            }
            pos += batchSize;
        }
        return null;
    }

    /** The record carrying this segment's largest timestamp, or null when records carry none. */
    TimestampOffset recordWithMaxTimestamp() throws IOException {
        long offset = offsetOfMaxTimestampSoFar;
        if (maxTimestampSoFar < 0 || offset < 0) {
            return null;
        }
        int size = log.size();
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        int pos = findBatch(offset, header, size);
        if (pos < 0) {
            return null;
        }
        long batchMax = RecordBatchLayout.maxTimestamp(header, 0);
        TimestampOffset found = BatchReader.firstRecordAtOrAfter(log, pos, RecordBatchLayout.sizeInBytes(header, 0), batchMax, -1);
        return found != null ? found : new TimestampOffset(batchMax, RecordBatchLayout.lastOffset(header, 0),
                RecordBatchLayout.partitionLeaderEpoch(header, 0));
    }

    /**
     * Restores the in-memory state from the indexes and a header scan of the data after the
     * last index entry; rebuilds the indexes from the log (see {@link #recover}) when they are
     * missing, malformed or disagree with the log.
     *
     * @return true when the indexes were rebuilt
     */
    boolean load(int indexIntervalBytes) throws IOException {
        String problem = indexProblem();
        if (problem == null) {
            problem = restoreState();
        }
        if (problem == null) {
            return false;
        }
        LOG.warn("Rebuilding the indexes of {}: {}", log.file(), problem);
        recover(indexIntervalBytes, null);
        return true;
    }

    private String indexProblem() {
        if (log.size() > 0 && (!offsetIndex.existed() || !timeIndex.existed())) {
            return "an index file is missing";
        }
        if (!offsetIndex.lengthValid() || !timeIndex.lengthValid()) {
            return "an index file's length is not a whole number of entries";
        }
        if (!offsetIndex.entriesOrdered() || !timeIndex.entriesOrdered()) {
            return "index entries are out of order";
        }
        if (offsetIndex.entries() > 0 && offsetIndex.lastPosition() >= log.size()) {
            return "the offset index points past the end of the log";
        }
        return null;
    }

    /** Scans batch headers from the last offset index entry; returns a problem or null. */
    private String restoreState() throws IOException {
        int size = log.size();
        int pos = offsetIndex.lastPosition();
        long indexedOffset = offsetIndex.lastOffset();
        long maxTimestamp = timeIndex.lastTimestamp();
        long offsetOfMax = timeIndex.lastOffset();
        long next = baseOffset;
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        boolean first = true;
        while (pos < size) {
            if (size - pos < RecordBatchLayout.HEADER_SIZE || !BatchReader.readHeader(log, header, pos)) {
                return "the batch at byte " + pos + " is cut short";
            }
            String problem = RecordBatchLayout.headerProblem(header, 0, size - pos);
            if (problem != null) {
                return "the batch at byte " + pos + " has an invalid header: " + problem;
            }
            long last = RecordBatchLayout.lastOffset(header, 0);
            if (first && indexedOffset >= 0 && last != indexedOffset) {
                return "the last offset index entry says offset " + indexedOffset + ", the log " + last;
            }
            if (last < next) {
                return "offsets go backwards at byte " + pos;
            }
            first = false;
            long batchMax = StoredBatches.indexedTimestamp(header, 0);
            if (batchMax > maxTimestamp) {
                maxTimestamp = batchMax;
                offsetOfMax = last;
            }
            next = last + 1;
            pos += RecordBatchLayout.sizeInBytes(header, 0);
        }
        if (timeIndex.lastOffset() >= next) {
            return "the time index points past the end of the log";
        }
        nextOffset = next;
        offsetOfMaxTimestampSoFar = offsetOfMax;
        maxTimestampSoFar = maxTimestamp;
        bytesSinceLastIndexEntry = size - offsetIndex.lastPosition();
        rollingBasedTimestamp = TimeIndex.NO_TIMESTAMP;
        if (size > 0 && BatchReader.readHeader(log, header, 0)) {
            rollingBasedTimestamp = RecordBatchLayout.maxTimestamp(header, 0);
        }
        return null;
    }

    /**
     * Validates every batch (framing, magic, offsets, CRC32C), cuts the file at the first bad
     * one and rebuilds both indexes from what remains, as Kafka's recovery does.
     *
     * @param epochs when not null, learns the leader epoch of each valid batch
     * @return bytes cut off
     */
    int recover(int indexIntervalBytes, LeaderEpochCache epochs) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        reactivate(); // a sealed segment's indexes are mapped at their old size
        maxTimestampSoFar = TimeIndex.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = -1;
        rollingBasedTimestamp = TimeIndex.NO_TIMESTAMP;
        bytesSinceLastIndexEntry = 0;
        long length = log.fileLength();
        int limit = (int) Math.min(length, Integer.MAX_VALUE);
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        ByteBuffer chunk = ByteBuffer.allocate(CRC_CHUNK);
        CRC32C crc = new CRC32C();
        int pos = 0;
        long next = baseOffset;
        while (pos < limit) {
            String problem = BatchReader.checkBatch(log, pos, limit, next, header, chunk, crc);
            if (problem != null) {
                LOG.warn("Truncating {} at byte {} of {}: {}", log.file(), pos, length, problem);
                break;
            }
            int size = RecordBatchLayout.sizeInBytes(header, 0);
            long last = RecordBatchLayout.lastOffset(header, 0);
            if (epochs != null) {
                epochs.restore(RecordBatchLayout.partitionLeaderEpoch(header, 0), RecordBatchLayout.baseOffset(header, 0));
            }
            indexBatch(pos, last, StoredBatches.indexedTimestamp(header, 0), size, indexIntervalBytes);
            next = last + 1;
            pos += size;
        }
        if (pos < length) {
            log.truncate(pos);
        } else {
            log.commit(pos);
        }
        nextOffset = next;
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
        return (int) (length - pos);
    }

    /** Tells {@code epochs} the leader epoch of every batch, walking the published batch headers. */
    void scanEpochs(LeaderEpochCache epochs) throws IOException {
        int size = log.size();
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        for (int pos = 0; pos + RecordBatchLayout.HEADER_SIZE <= size && BatchReader.readBatchHeader(log, header, pos);
                pos += RecordBatchLayout.sizeInBytes(header, 0)) {
            epochs.restore(RecordBatchLayout.partitionLeaderEpoch(header, 0), RecordBatchLayout.baseOffset(header, 0));
        }
    }

    /**
     * Removes the batches from the one holding {@code offset} on; the next offset becomes
     * {@code offset}, or the base offset of a batch that straddled it.
     *
     * @return bytes removed
     */
    int truncateTo(long offset) throws IOException {
        int size = log.size();
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        int pos = findBatch(offset, header, size);
        if (pos < 0) {
            return 0;
        }
        long newNext = Math.min(offset, RecordBatchLayout.baseOffset(header, 0));
        nextOffset = newNext;
        offsetIndex.truncateToPosition(pos);
        timeIndex.truncateToOffset(newNext);
        log.truncate(pos);
        String problem = restoreState();
        if (problem != null) {
            throw new CorruptRecordException("Segment " + log.file() + " is inconsistent after truncation: " + problem);
        }
        nextOffset = Math.max(nextOffset, newNext);
        return size - pos;
    }

    /** Makes the indexes take appends again after later segments were truncated away. */
    void reactivate() throws IOException {
        offsetIndex.resizeForAppends(maxIndexSize);
        timeIndex.resizeForAppends(maxIndexSize);
    }

    /** Seals and fsyncs the segment (at close). */
    void onBecomeInactive() throws IOException {
        seal();
        flush();
    }

    /**
     * Seals the segment without forcing it to disk: final time index entry, space reserved for
     * appends returned, indexes trimmed. A roll then flushes it on the flusher thread; nothing
     * writes to it afterwards unless a truncation reactivates it.
     */
    void seal() throws IOException {
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
        log.seal();
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
    }

    void close() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        log.close();
    }

    boolean isOpen() {
        return log.isOpen();
    }

    /** Unlinks the files; slices already handed out stay readable until {@link #close}. */
    void deleteFiles() throws IOException {
        log.deleteFile();
        offsetIndex.deleteFile();
        timeIndex.deleteFile();
    }

    @Override
    public String toString() {
        return "LogSegment(" + log.file().getFileName() + ", size " + log.size() + ", next " + nextOffset + ")";
    }
}
