package io.samsa.storage.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;

/**
 * Which oldest segments each of Kafka's deletion rules selects. Every rule picks a prefix of the
 * log and never an empty active segment; a non-empty active segment may be picked, and the log
 * then rolls before deleting it, as Kafka does.
 */
final class Retention {

    private Retention() {
    }

    /** Segments all of whose offsets are below {@code logStartOffset} (DeleteRecords). */
    static List<LogSegment> belowLogStartOffset(NavigableMap<Long, LogSegment> segments, long logStartOffset) {
        List<LogSegment> out = new ArrayList<>();
        for (LogSegment segment : segments.values()) {
            Long next = segments.higherKey(segment.baseOffset());
            if (next == null || next > logStartOffset) {
                break;
            }
            out.add(segment);
        }
        return out;
    }

    /** Segments whose newest record is more than {@code retentionMs} older than {@code nowMs}. */
    static List<LogSegment> expired(Collection<LogSegment> segments, long nowMs, long retentionMs) throws IOException {
        List<LogSegment> out = new ArrayList<>();
        for (LogSegment segment : segments) {
            if (segment.size() == 0 || nowMs - segment.largestTimestamp() <= retentionMs) {
                break;
            }
            out.add(segment);
        }
        return out;
    }

    /** Segments that can go while the log keeps at least {@code retentionBytes}. */
    static List<LogSegment> beyondRetentionBytes(Collection<LogSegment> segments, long totalBytes, long retentionBytes) {
        List<LogSegment> out = new ArrayList<>();
        long excess = totalBytes - retentionBytes;
        for (LogSegment segment : segments) {
            if (segment.size() == 0 || excess < segment.size()) {
                break;
            }
            excess -= segment.size();
            out.add(segment);
        }
        return out;
    }
}
