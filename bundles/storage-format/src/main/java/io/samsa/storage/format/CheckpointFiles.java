package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.apache.kafka.common.TopicPartition;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small per-partition state files next to the segments: the clean-shutdown marker that
 * lets opening skip recovery, the log start offset that DeleteRecords and retention advance
 * inside a segment, how far the cleaner has compacted the log, the recovery point (how far the
 * log is known to be on disk) and the leader epochs ({@link LeaderEpochCache}).
 * <p>
 * The recovery point and the leader epochs are in Kafka's checkpoint format (its
 * {@code CheckpointFile}): a line with the version {@code 0}, a line with the number of entries,
 * then one entry per line. Kafka keeps recovery points in one {@code recovery-point-offset-checkpoint}
 * per log directory; here each partition has its own {@link #RECOVERY_POINT} file, so that a log
 * opens and recovers with nothing but its own directory. Its one entry has the form of Kafka's
 * file ({@code <topic> <partition> <offset>}), so Kafka's OffsetCheckpointFile reads it.
 */
final class CheckpointFiles {

    static final String CLEAN_SHUTDOWN = ".kafka_cleanshutdown";
    static final String LOG_START_OFFSET = "log-start-offset";
    static final String CLEANER_CHECKPOINT = "cleaner-checkpoint";
    static final String RECOVERY_POINT = "recovery-point";

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointFiles.class);
    private static final String VERSION = "0";

    private CheckpointFiles() {
    }

    /** Whether the log was closed cleanly; removes the marker so a later crash is noticed. */
    static boolean consumeCleanShutdown(Path dir) throws IOException {
        boolean clean = Files.deleteIfExists(dir.resolve(CLEAN_SHUTDOWN));
        if (clean) {
            flushDir(dir);
        }
        return clean;
    }

    static void writeCleanShutdown(Path dir) throws IOException {
        Path marker = dir.resolve(CLEAN_SHUTDOWN);
        try (FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        flushDir(dir);
    }

    /** The checkpointed log start offset, or -1 when there is none or it cannot be read. */
    static long readLogStartOffset(Path dir) {
        long[] values = readValues(dir.resolve(LOG_START_OFFSET), 1);
        return values == null ? -1 : values[0];
    }

    /** Replaces the checkpoint atomically, so a crash leaves the old or the new value. */
    static void writeLogStartOffset(Path dir, long offset) throws IOException {
        writeValues(dir, LOG_START_OFFSET, offset);
    }

    /**
     * The cleaner's checkpoint: the offset below which the log is compacted and the time at
     * which the earliest tombstone it kept may go; null when there is none or it cannot be read
     * (the whole log then counts as dirty, which costs a cleaning but loses nothing).
     */
    static long[] readCleanerCheckpoint(Path dir) {
        return readValues(dir.resolve(CLEANER_CHECKPOINT), 2);
    }

    static void writeCleanerCheckpoint(Path dir, long cleanedOffset, long tombstonesDueMs) throws IOException {
        writeValues(dir, CLEANER_CHECKPOINT, cleanedOffset, tombstonesDueMs);
    }

    /** The checkpointed recovery point, or -1 when there is none or it cannot be read (recover everything). */
    static long readRecoveryPoint(Path dir) {
        List<String> entries = readEntries(dir, RECOVERY_POINT);
        if (entries == null || entries.size() != 1) {
            return -1;
        }
        String[] fields = entries.get(0).trim().split("\\s+");
        try {
            if (fields.length == 3) {
                Integer.parseInt(fields[1]);
                return Math.max(-1, Long.parseLong(fields[2]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("Ignoring {}: malformed entry {}", dir.resolve(RECOVERY_POINT), entries.get(0));
        return -1;
    }

    static void writeRecoveryPoint(Path dir, TopicPartition partition, long offset) throws IOException {
        writeEntries(dir, RECOVERY_POINT, List.of(partition.topic() + " " + partition.partition() + " " + offset));
    }

    /**
     * The entries of a file in Kafka's checkpoint format; null when it is missing or is not in
     * that format (wrong version, count not matching the entries, blank lines).
     */
    static List<String> readEntries(Path dir, String name) {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() >= 2 && VERSION.equals(lines.get(0)) && lines.get(1).matches("\\d{1,9}")
                    && Integer.parseInt(lines.get(1)) == lines.size() - 2
                    && lines.stream().noneMatch(String::isBlank)) {
                return lines.subList(2, lines.size());
            }
            LOG.warn("Ignoring {}: not a version {} checkpoint file", file, VERSION);
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable {}", file, e);
        }
        return null;
    }

    /** Replaces {@code name} atomically by a checkpoint file of {@code entries}, as Kafka's CheckpointFile writes it. */
    static void writeEntries(Path dir, String name, List<String> entries) throws IOException {
        StringBuilder text = new StringBuilder(VERSION).append('\n').append(entries.size()).append('\n');
        for (String entry : entries) {
            text.append(entry).append('\n');
        }
        replace(dir, name, text);
    }

    private static long[] readValues(Path file, int count) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
            if (lines.length >= count + 1 && VERSION.equals(lines[0].trim())) {
                long[] values = new long[count];
                for (int i = 0; i < count; i++) {
                    values[i] = Long.parseLong(lines[i + 1].trim());
                }
                return values;
            }
            LOG.warn("Ignoring {}: unknown format", file);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Ignoring unreadable {}", file, e);
        }
        return null;
    }

    /** Replaces the file atomically (write, fsync, rename), so a crash leaves the old or the new values. */
    private static void writeValues(Path dir, String name, long... values) throws IOException {
        StringBuilder text = new StringBuilder(VERSION).append('\n');
        for (long v : values) {
            text.append(v).append('\n');
        }
        replace(dir, name, text);
    }

    /** Write to {@code <name>.tmp}, fsync, rename over {@code name}, fsync the directory: Kafka's sequence. */
    private static void replace(Path dir, String name, CharSequence text) throws IOException {
        Path file = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        flushDir(dir);
    }

    /** Makes file creations and deletions in {@code dir} durable, where the platform allows it. */
    static void flushDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot fsync directory {}", dir, e);
        }
    }
}
