package io.samsa.storage.format;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.LogConfig;

/**
 * Opens the segments of a partition directory, as Kafka's LogLoader: after a clean shutdown it
 * trusts the files (checking the indexes against the log cheaply); otherwise it validates the
 * last segment batch by batch and cuts a torn tail. Non-active segments need no such check:
 * they were fsynced when rolled. Before any of that it completes or rolls back a compaction's
 * segment swap that a crash interrupted ({@link SegmentSwap#recover}).
 */
final class LogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
    private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.(log|index|timeindex)");

    /** What a partition directory held: its segments in offset order and its log start offset. */
    record Loaded(List<LogSegment> segments, long logStartOffset) {
    }

    private LogLoader() {
    }

    static Loaded load(FileAccess access, Path dir, LogConfig config, long nowMs) throws IOException {
        Files.createDirectories(dir);
        boolean clean = CheckpointFiles.consumeCleanShutdown(dir);
        SegmentSwap.recover(dir);
        long checkpointed = CheckpointFiles.readLogStartOffset(dir);
        TreeSet<Long> bases = segmentBases(dir);
        List<LogSegment> segments = new ArrayList<>();
        try {
            if (bases.isEmpty()) {
                segments.add(LogSegment.create(access, dir, Math.max(0, checkpointed), config, nowMs));
            } else {
                for (long base : bases) {
                    segments.add(LogSegment.open(access, dir, base, config, base == bases.last(), nowMs));
                }
                restore(segments, clean, config, dir);
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : segments) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        LogSegment last = segments.get(segments.size() - 1);
        long start = Math.min(Math.max(checkpointed, segments.get(0).baseOffset()), last.nextOffset());
        return new Loaded(segments, start);
    }

    /** Base offsets of the {@code .log} files; deletes index files left without their log. */
    private static TreeSet<Long> segmentBases(Path dir) throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Matcher m = SEGMENT_FILE.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                if (m.group(2).equals("log")) {
                    bases.add(Long.parseLong(m.group(1)));
                } else {
                    indexes.add(file);
                }
            }
        }
        for (Path index : indexes) {
            String name = index.getFileName().toString();
            if (!bases.contains(Long.parseLong(name.substring(0, 20)))) {
                LOG.warn("Deleting {}: its segment's log file is missing", index);
                Files.delete(index);
            }
        }
        return bases;
    }

    private static void restore(List<LogSegment> segments, boolean clean, LogConfig config, Path dir)
            throws IOException {
        int interval = config.indexIntervalBytes();
        int n = segments.size();
        // a crash during a roll can leave an empty newest segment; the one before it may be torn too
        int recoverFrom = clean ? n : (n > 1 && segments.get(n - 1).size() == 0 ? n - 2 : n - 1);
        for (int i = 0; i < n; i++) {
            LogSegment segment = segments.get(i);
            boolean active = i == segments.size() - 1;
            if (i < recoverFrom) {
                if (segment.load(interval) && !active) {
                    segment.onBecomeInactive();
                }
                continue;
            }
            LOG.info("Recovering {} after an unclean shutdown", segment.file());
            int truncated = segment.recover(interval);
            if (truncated > 0 && !active) {
                // the later (empty) segment would leave a gap after the cut: drop it
                while (segments.size() > i + 1) {
                    LogSegment dropped = segments.remove(segments.size() - 1);
                    dropped.close();
                    dropped.deleteFiles();
                }
                segment.reactivate();
                break;
            }
            if (!active) {
                segment.onBecomeInactive();
            }
        }
        if (!clean) {
            CheckpointFiles.flushDir(dir);
        }
    }
}
