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

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.LogConfig;

/**
 * Opens the segments of a partition directory, as Kafka's LogLoader: after a clean shutdown it
 * trusts the files (checking the indexes against the log cheaply); otherwise it validates,
 * batch by batch, every segment from the one holding the recovery point on, and cuts the log
 * at the first bad batch. Segments before that were fsynced before the recovery point was
 * written, so they need no such check. Before any of that it completes or rolls back a
 * compaction's segment swap that a crash interrupted ({@link SegmentSwap#recover}).
 * <p>
 * The leader epoch checkpoint is cut to the loaded log, keeping an epoch that starts at its end
 * with no batch yet (see {@link LeaderEpochCache}); the epochs of recovered segments are learnt
 * again from their batches, and the whole cache is rebuilt from the batch headers when its file
 * is missing or unreadable.
 */
final class LogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
    private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.(log|index|timeindex)");

    /** What a partition directory held: its segments in offset order, its log start offset and checkpoints. */
    record Loaded(List<LogSegment> segments, long logStartOffset, LogCheckpoints checkpoints) {
    }

    private LogLoader() {
    }

    static Loaded load(FileAccess access, Path dir, TopicPartition partition, LogConfig config, long nowMs)
            throws IOException {
        Files.createDirectories(dir);
        boolean clean = CheckpointFiles.consumeCleanShutdown(dir);
        SegmentSwap.recover(dir);
        long checkpointed = CheckpointFiles.readLogStartOffset(dir);
        long recoveryPoint = CheckpointFiles.readRecoveryPoint(dir);
        LeaderEpochCache epochs = LeaderEpochCache.read(dir);
        LeaderEpochCache.Entry latestInFile = epochs.latest();
        TreeSet<Long> bases = segmentBases(dir);
        List<LogSegment> segments = new ArrayList<>();
        try {
            long flushed;
            if (bases.isEmpty()) {
                LogSegment first = LogSegment.create(access, dir, Math.max(0, checkpointed), config, nowMs);
                segments.add(first);
                flushed = first.baseOffset();
            } else {
                for (long base : bases) {
                    segments.add(LogSegment.open(access, dir, base, config, base == bases.last(), nowMs));
                }
                flushed = restore(segments, clean, recoveryPoint, epochs, config, dir);
            }
            LogSegment last = segments.get(segments.size() - 1);
            long start = Math.min(Math.max(checkpointed, segments.get(0).baseOffset()), last.nextOffset());
            epochs.truncateAfter(last.nextOffset());
            epochs.reinstateEpochAtEnd(latestInFile, last.nextOffset());
            epochs.truncateFromStart(start);
            epochs.flush();
            if (flushed != recoveryPoint && (!bases.isEmpty() || recoveryPoint >= 0)) {
                CheckpointFiles.writeRecoveryPoint(dir, partition, flushed);
            }
            return new Loaded(segments, start, new LogCheckpoints(dir, partition, epochs, flushed));
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

    /**
     * Loads or recovers each segment.
     *
     * @param recoveryPoint the checkpointed recovery point, -1 when unknown (recover everything)
     * @return the new recovery point: the offset below which the segments are known to be on disk
     */
    private static long restore(List<LogSegment> segments, boolean clean, long recoveryPoint, LeaderEpochCache epochs,
            LogConfig config, Path dir) throws IOException {
        int interval = config.indexIntervalBytes();
        int n = segments.size();
        int recoverFrom = clean ? n : segmentHolding(segments, recoveryPoint);
        boolean rebuildEpochs = !epochs.fromFile();
        if (rebuildEpochs) {
            LOG.info("Rebuilding {} of {} from the batch headers", LeaderEpochCache.FILE, dir);
            epochs.clear();
            epochs.markDirty(); // written even when no batch carries an epoch, so the next open need not scan
        } else if (recoverFrom < n) {
            epochs.truncateFromEnd(segments.get(recoverFrom).baseOffset());
        }
        for (int i = 0; i < n; i++) {
            LogSegment segment = segments.get(i);
            boolean active = i == segments.size() - 1;
            if (i < recoverFrom) {
                if (segment.load(interval) && !active) {
                    segment.onBecomeInactive();
                }
                if (rebuildEpochs) {
                    segment.scanEpochs(epochs);
                }
                continue;
            }
            LOG.info("Recovering {} after an unclean shutdown", segment.file());
            int truncated = segment.recover(interval, epochs);
            if (truncated > 0 && !active) {
                // the later segments would leave a gap after the cut: drop them
                while (segments.size() > i + 1) {
                    LogSegment dropped = segments.remove(segments.size() - 1);
                    LOG.warn("Deleting {}: it follows a corrupt batch of {}", dropped.file(), segment.file());
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
        LogSegment last = segments.get(segments.size() - 1);
        if (clean) {
            return last.nextOffset();
        }
        CheckpointFiles.flushDir(dir);
        // every segment before the last is fsynced: before the crash, or by recovery sealing it
        return Math.max(last.baseOffset(), Math.min(recoveryPoint, last.nextOffset()));
    }

    /** The index of the segment holding {@code offset}: the last based at or below it; 0 when none is. */
    private static int segmentHolding(List<LogSegment> segments, long offset) {
        int index = 0;
        for (int i = 0; i < segments.size() && segments.get(i).baseOffset() <= offset; i++) {
            index = i;
        }
        return index;
    }
}
