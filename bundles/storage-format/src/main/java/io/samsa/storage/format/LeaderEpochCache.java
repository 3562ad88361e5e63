package io.samsa.storage.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.EpochEndOffset;

/**
 * The start offset of every leader epoch in the log, kept as Kafka's LeaderEpochFileCache keeps
 * it and saved in the {@code leader-epoch-checkpoint} file of the partition directory, in
 * Kafka's format: version {@code 0}, the number of entries, then {@code <epoch> <startOffset>}
 * per line, oldest first.
 * <p>
 * The file is rewritten (atomically, fsynced) before an append whose batches start a new epoch
 * writes them, so it never lacks an epoch whose batches are on disk; it may have one too many
 * after a crash or a failed write, which opening the log cuts off when it starts beyond the log
 * end offset. An epoch that starts exactly at the log end, with no batch yet, stays: a new
 * leader starts its epoch so ({@link io.samsa.api.storage.PartitionLog#assignEpochStartOffset}),
 * and must still know it after a restart (Kafka's loader drops it). Keeping one that a crash
 * left there instead is harmless: it claims no batch, and the follower's truncation against
 * its leader removes it. Truncations, DeleteRecords and retention keep the cache in step with
 * the log. Epochs below 0 (batches a producer wrote, never stamped by a leader) start no entry.
 * <p>
 * Used by the log's single writer (under its lock) and while loading; never by readers.
 */
final class LeaderEpochCache {

    static final String FILE = "leader-epoch-checkpoint";

    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);

    /** One epoch and the offset of its first batch. */
    record Entry(int epoch, long startOffset) {
        @Override
        public String toString() {
            return epoch + " " + startOffset;
        }
    }

    private final Path dir;
    /** Epochs and start offsets both strictly increase along the list. */
    private final List<Entry> entries;
    private final boolean fromFile;
    private boolean dirty;

    private LeaderEpochCache(Path dir, List<Entry> entries, boolean fromFile) {
        this.dir = dir;
        this.entries = entries;
        this.fromFile = fromFile;
    }

    /**
     * Reads the checkpoint of {@code dir}. When it is missing or malformed the cache starts
     * empty and {@link #fromFile()} is false: the loader then rebuilds it from the batches.
     */
    static LeaderEpochCache read(Path dir) {
        List<String> lines = CheckpointFiles.readEntries(dir, FILE);
        List<Entry> entries = lines == null ? null : parse(lines);
        if (lines != null && entries == null) {
            LOG.warn("Ignoring {}: malformed or out-of-order entries {}", dir.resolve(FILE), lines);
        }
        return entries == null ? new LeaderEpochCache(dir, new ArrayList<>(), false)
                : new LeaderEpochCache(dir, entries, true);
    }

    private static List<Entry> parse(List<String> lines) {
        List<Entry> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            Entry entry;
            try {
                entry = fields.length == 2 ? new Entry(Integer.parseInt(fields[0]), Long.parseLong(fields[1])) : null;
            } catch (NumberFormatException e) {
                entry = null;
            }
            Entry previous = out.isEmpty() ? null : out.get(out.size() - 1);
            if (entry == null || entry.epoch < 0 || entry.startOffset < 0 || (previous != null
                    && (entry.epoch <= previous.epoch || entry.startOffset <= previous.startOffset))) {
                return null;
            }
            out.add(entry);
        }
        return out;
    }

    /** Whether the entries came from a readable checkpoint file. */
    boolean fromFile() {
        return fromFile;
    }

    /**
     * Notes that a batch of {@code epoch} starts at {@code startOffset}, as Kafka's assign: a
     * new epoch adds an entry, after dropping the entries it contradicts (a later or equal
     * epoch, or a start at or after its own); the current epoch changes nothing.
     */
    void assign(int epoch, long startOffset) {
        if (epoch < 0) {
            return;
        }
        Entry latest = latest();
        if (latest != null && latest.epoch == epoch && startOffset >= latest.startOffset) {
            return;
        }
        List<Entry> dropped = new ArrayList<>();
        while (!entries.isEmpty() && (latest().epoch >= epoch || latest().startOffset >= startOffset)) {
            dropped.add(entries.remove(entries.size() - 1));
        }
        if (dropped.size() > 1 || (dropped.size() == 1 && dropped.get(0).startOffset != startOffset)) {
            LOG.warn("Leader epoch {} at offset {} in {} replaces the conflicting entries {}", epoch, startOffset, dir,
                    dropped);
        }
        entries.add(new Entry(epoch, startOffset));
        dirty = true;
    }

    /**
     * As recovery rebuilds the cache from batches in offset order: only an epoch later than the
     * latest one counts, so a stray older epoch cannot wipe out later entries.
     */
    void restore(int epoch, long baseOffset) {
        Entry latest = latest();
        if (epoch >= 0 && (latest == null || epoch > latest.epoch)) {
            assign(epoch, baseOffset);
        }
    }

    /**
     * Drops the entries of epochs starting beyond {@code endOffset}, the end of a log being
     * opened: their batches never reached the disk. One starting exactly there stays (see above).
     */
    void truncateAfter(long endOffset) {
        while (!entries.isEmpty() && latest().startOffset > endOffset) {
            entries.remove(entries.size() - 1);
            dirty = true;
        }
    }

    /**
     * Puts back {@code entry}, the latest of the checkpoint file, when recovery (which relearns
     * the epochs of the segments it validates from their batches) dropped it although it is an
     * epoch without batches at the recovered log end {@code endOffset}, later than every epoch
     * of the batches.
     */
    void reinstateEpochAtEnd(Entry entry, long endOffset) {
        Entry latest = latest();
        if (entry != null && entry.startOffset == endOffset
                && (latest == null || (entry.epoch > latest.epoch && latest.startOffset < endOffset))) {
            entries.add(entry);
            dirty = true;
        }
    }

    /** Drops the entries of epochs starting at or after {@code endOffset} (the log was cut there). */
    void truncateFromEnd(long endOffset) {
        while (!entries.isEmpty() && latest().startOffset >= endOffset) {
            entries.remove(entries.size() - 1);
            dirty = true;
        }
    }

    /**
     * The log now starts at {@code startOffset}: drops the epochs that ended before it, and the
     * epoch holding it starts there, as Kafka's truncateFromStart.
     */
    void truncateFromStart(long startOffset) {
        Entry holder = null;
        int removed = 0;
        while (!entries.isEmpty() && entries.get(0).startOffset <= startOffset) {
            holder = entries.remove(0);
            removed++;
        }
        if (holder != null) {
            entries.add(0, new Entry(holder.epoch, startOffset));
            dirty |= removed > 1 || holder.startOffset != startOffset;
        }
    }

    void clear() {
        dirty |= !entries.isEmpty();
        entries.clear();
    }

    /** Writes the checkpoint file when the entries changed since it was last written or read. */
    void flush() throws IOException {
        if (!dirty) {
            return;
        }
        List<String> lines = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            lines.add(e.toString());
        }
        CheckpointFiles.writeEntries(dir, FILE, lines);
        dirty = false;
    }

    /** Makes the next {@link #flush} write the file even when the entries did not change. */
    void markDirty() {
        dirty = true;
    }

    /** Kafka's LeaderEpochFileCache.endOffsetFor; see PartitionLog.endOffsetForEpoch. */
    EpochEndOffset endOffsetFor(int requested, long logEndOffset) {
        Entry latest = latest();
        if (requested < 0 || latest == null) {
            return EpochEndOffset.UNDEFINED;
        }
        if (latest.epoch == requested) {
            return new EpochEndOffset(requested, logEndOffset);
        }
        Entry floor = null;
        for (Entry e : entries) {
            if (e.epoch > requested) {
                // the first later epoch starts where the asked-for one (or the one before it) ended
                return new EpochEndOffset(floor == null ? requested : floor.epoch, e.startOffset);
            }
            floor = e;
        }
        return EpochEndOffset.UNDEFINED;
    }

    /** The latest epoch, or empty when the cache holds none. */
    OptionalInt latestEpoch() {
        Entry latest = latest();
        return latest == null ? OptionalInt.empty() : OptionalInt.of(latest.epoch);
    }

    /** The latest entry, or null. */
    Entry latest() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    @Override
    public String toString() {
        return "LeaderEpochCache(" + dir + ", " + entries + ")";
    }
}
