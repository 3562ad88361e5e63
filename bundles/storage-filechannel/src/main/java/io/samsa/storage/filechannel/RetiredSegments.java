package io.samsa.storage.filechannel;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments taken out of a log. Their files are unlinked at once, but their channels stay open
 * for a while (Kafka's {@code file.delete.delay.ms}) so that slices already handed to the
 * network layer can still be sent. Used by the log's single writer only.
 */
final class RetiredSegments {

    static final long CLOSE_DELAY_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(RetiredSegments.class);

    private record Retired(LogSegment segment, long atMs) {
    }

    private final ArrayDeque<Retired> queue = new ArrayDeque<>();

    void add(List<LogSegment> segments, long nowMs) throws IOException {
        for (LogSegment segment : segments) {
            segment.deleteFiles();
            queue.add(new Retired(segment, nowMs));
        }
    }

    /** Closes the channels retired at least {@link #CLOSE_DELAY_MS} before {@code nowMs}. */
    void closeDue(long nowMs) {
        while (!queue.isEmpty() && queue.peek().atMs() + CLOSE_DELAY_MS <= nowMs) {
            close(queue.poll().segment());
        }
    }

    void closeAll() {
        while (!queue.isEmpty()) {
            close(queue.poll().segment());
        }
    }

    private static void close(LogSegment segment) {
        try {
            segment.close();
        } catch (IOException e) {
            LOG.warn("Cannot close deleted segment {}", segment.file(), e);
        }
    }
}
