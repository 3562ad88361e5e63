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
 * lets opening skip recovery, and the log start offset that DeleteRecords and retention
 * advance inside a segment.
 */
final class CheckpointFiles {

    static final String CLEAN_SHUTDOWN = ".kafka_cleanshutdown";
    static final String LOG_START_OFFSET = "log-start-offset";

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
        Path file = dir.resolve(LOG_START_OFFSET);
        if (!Files.exists(file)) {
            return -1;
        }
        try {
            String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
            if (lines.length >= 2 && VERSION.equals(lines[0].trim())) {
                return Long.parseLong(lines[1].trim());
            }
            LOG.warn("Ignoring {}: unknown format", file);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Ignoring unreadable {}", file, e);
        }
        return -1;
    }

    /** Replaces the checkpoint atomically, so a crash leaves the old or the new value. */
    static void writeLogStartOffset(Path dir, long offset) throws IOException {
        Path file = dir.resolve(LOG_START_OFFSET);
        Path tmp = dir.resolve(LOG_START_OFFSET + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap((VERSION + "\n" + offset + "\n").getBytes(StandardCharsets.UTF_8)));
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
