package io.samsa.storage.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small per-partition state files next to the segments: the clean-shutdown marker that
 * lets opening skip recovery, the log start offset that DeleteRecords and retention advance
 * inside a segment, and how far the cleaner has compacted the log.
 */
final class CheckpointFiles {

    static final String CLEAN_SHUTDOWN = ".kafka_cleanshutdown";
    static final String LOG_START_OFFSET = "log-start-offset";
    static final String CLEANER_CHECKPOINT = "cleaner-checkpoint";

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
        Path file = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        StringBuilder text = new StringBuilder(VERSION).append('\n');
        for (long v : values) {
            text.append(v).append('\n');
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
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
