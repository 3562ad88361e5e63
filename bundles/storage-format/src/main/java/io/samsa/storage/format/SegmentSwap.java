package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.RecordBatchLayout;

/**
 * The files of a compacted segment on their way into the log, as Kafka names them: the cleaner
 * writes {@code <base>.log.cleaned} (and its two indexes), renames them to {@code .swap} under
 * the log's lock once it decided to replace the old segments, unlinks those, and renames the
 * {@code .swap} files to the final names.
 * <p>
 * {@code <base>.log.swap} is the commit point. Opening a directory ({@link #recover}) deletes
 * {@code .cleaned} files (a cleaning that never committed: the old segments are intact) and
 * completes every swap: old segment files within the swap's offsets are removed and the swap
 * files take their names. Index files are renamed before the log file, so an index {@code .swap}
 * without its log {@code .swap} belongs to a swap that never committed, or to one whose log file
 * already took its final name; either way it can go (a missing index is rebuilt).
 */
final class SegmentSwap {

    static final String CLEANED = ".cleaned";
    static final String SWAP = ".swap";

    private static final Logger LOG = LoggerFactory.getLogger(SegmentSwap.class);
    private static final Pattern LEFTOVER = Pattern.compile("(\\d{20})\\.(log|index|timeindex)\\.(cleaned|swap)");
    private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.(log|index|timeindex)");
    /** Rename order: the log file last, so that its {@code .swap} exists until both indexes moved. */
    private static final String[] SUFFIXES = {LogSegment.INDEX_SUFFIX, LogSegment.TIME_INDEX_SUFFIX,
        LogSegment.LOG_SUFFIX};

    private SegmentSwap() {
    }

    private static Path file(Path dir, long base, String suffix, String tail) {
        return dir.resolve(LogSegment.fileName(base, suffix) + tail);
    }

    /** Commits a cleaned segment: its {@code .cleaned} files become {@code .swap} files. */
    static void promote(Path dir, long base) throws IOException {
        for (String suffix : SUFFIXES) {
            Files.move(file(dir, base, suffix, CLEANED), file(dir, base, suffix, SWAP), StandardCopyOption.ATOMIC_MOVE);
        }
        CheckpointFiles.flushDir(dir);
    }

    /** Gives the {@code .swap} files their final names; the old segment files must be gone. */
    static void complete(Path dir, long base) throws IOException {
        for (String suffix : SUFFIXES) {
            Path swap = file(dir, base, suffix, SWAP);
            if (Files.exists(swap)) {
                Files.move(swap, file(dir, base, suffix, ""), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        CheckpointFiles.flushDir(dir);
    }

    /** Deletes the {@code .cleaned} and {@code .swap} files of {@code base}: only before a commit. */
    static void discard(Path dir, long base) throws IOException {
        for (String suffix : SUFFIXES) {
            Files.deleteIfExists(file(dir, base, suffix, CLEANED));
            Files.deleteIfExists(file(dir, base, suffix, SWAP));
        }
    }

    /** Completes or rolls back what an interrupted cleaning left in {@code dir}; runs before loading. */
    static void recover(Path dir) throws IOException {
        TreeSet<Long> swaps = new TreeSet<>();
        List<Path> doomed = new ArrayList<>();
        for (Path f : list(dir, LEFTOVER)) {
            Matcher m = LEFTOVER.matcher(f.getFileName().toString());
            m.matches();
            if (m.group(3).equals("swap") && m.group(2).equals("log")) {
                swaps.add(Long.parseLong(m.group(1)));
            } else if (m.group(3).equals("cleaned")) {
                doomed.add(f);
            }
        }
        for (Path f : doomed) {
            LOG.info("Deleting {}: left by a cleaning that did not finish", f);
            Files.delete(f);
        }
        for (long base : swaps) {
            long next = nextOffset(file(dir, base, LogSegment.LOG_SUFFIX, SWAP), base);
            if (next <= base) {
                LOG.warn("Discarding the swap of segment {} in {}: it holds no valid batch", base, dir);
                discard(dir, base);
                continue;
            }
            for (Path f : list(dir, SEGMENT_FILE)) {
                long segment = Long.parseLong(f.getFileName().toString().substring(0, 20));
                // a file of the swap's own base with no .swap twin is already the new one
                boolean replaced = segment != base || Files.exists(f.resolveSibling(f.getFileName() + SWAP));
                if (segment >= base && segment < next && replaced) {
                    Files.delete(f);
                }
            }
            complete(dir, base);
            LOG.info("Completed the interrupted swap of compacted segment {} (offsets {} to {}) in {}", base, base,
                    next - 1, dir);
        }
        for (Path f : list(dir, LEFTOVER)) {
            LOG.info("Deleting {}: its segment was not swapped in", f);
            Files.delete(f);
        }
        if (!swaps.isEmpty() || !doomed.isEmpty()) {
            CheckpointFiles.flushDir(dir);
        }
    }

    private static List<Path> list(Path dir, Pattern pattern) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (pattern.matcher(f.getFileName().toString()).matches()) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** The offset after the last whole v2 batch of {@code file}, walking headers only; {@code base} when none. */
    private static long nextOffset(Path file, long base) throws IOException {
        long next = base;
        ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.HEADER_SIZE);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = 0;
            while (pos + RecordBatchLayout.HEADER_SIZE <= size) {
                header.clear();
                if (!FileChannels.readFully(ch, header, pos)) {
                    break;
                }
                if (RecordBatchLayout.headerProblem(header, 0, size - pos) != null) {
                    break;
                }
                next = RecordBatchLayout.lastOffset(header, 0) + 1;
                pos += RecordBatchLayout.sizeInBytes(header, 0);
            }
        }
        return next;
    }
}
