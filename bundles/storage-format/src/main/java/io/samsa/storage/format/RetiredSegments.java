package io.samsa.storage.format;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments taken out of a log. Their files are unlinked at once, but the segments stay open
 * for a while (Kafka's {@code file.delete.delay.ms}) so that slices already handed to the
 * network layer can still be sent. A file the platform will not unlink yet (Windows, while a
 * reader still maps it) is unlinked again once its segment is closed. Used by the log's single
 * writer only.
 */
final class RetiredSegments {

    static final long CLOSE_DELAY_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(RetiredSegments.class);

    private record Retired(LogSegment segment, long atMs, boolean filesLeft) {
    }

    private final ArrayDeque<Retired> queue = new ArrayDeque<>();

    void add(List<LogSegment> segments, long nowMs) {
        for (LogSegment segment : segments) {
            queue.add(new Retired(segment, nowMs, !deleteFiles(segment)));
        }
    }

    /**
     * Retires segments whose files the caller already unlinked: files with their names may
     * exist again (a compacted segment swapped in), so they are never unlinked from here.
     */
    void addUnlinked(List<LogSegment> segments, long nowMs) {
        for (LogSegment segment : segments) {
            queue.add(new Retired(segment, nowMs, false));
        }
    }

    /** Closes the segments retired at least {@link #CLOSE_DELAY_MS} before {@code nowMs}. */
    void closeDue(long nowMs) {
        while (!queue.isEmpty() && queue.peek().atMs() + CLOSE_DELAY_MS <= nowMs) {
            close(queue.poll());
        }
    }

    void closeAll() {
        while (!queue.isEmpty()) {
            close(queue.poll());
        }
    }

    private static void close(Retired retired) {
        LogSegment segment = retired.segment();
        try {
            segment.close();
        } catch (IOException e) {
            LOG.warn("Cannot close deleted segment {}", segment.file(), e);
        }
        if (retired.filesLeft() && deleteFiles(segment)) {
            LOG.info("Deleted the files of segment {} once it was closed", segment.file());
        }
    }

    private static boolean deleteFiles(LogSegment segment) {
        try {
            segment.deleteFiles();
            return true;
        } catch (IOException e) {
            LOG.warn("Cannot delete the files of segment {} yet; trying again when it is closed", segment.file(), e);
            return false;
        }
    }
}
