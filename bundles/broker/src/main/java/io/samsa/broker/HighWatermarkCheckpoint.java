package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

/**
 * The high watermarks of the partitions in one log dir, in Kafka's
 * {@code replication-offset-checkpoint} file: a version line ({@code 0}), a count line, then one
 * {@code topic partition offset} line per partition. A broker that restarts starts each
 * partition's high watermark from here rather than from its log end offset, so that it never
 * shows consumers a tail that was not replicated before it went down.
 * <p>
 * Written whole to a temporary file, forced to disk and renamed over the old one, so a crash
 * leaves either the old or the new file. Not thread-safe: its owner serialises writes.
 */
final class HighWatermarkCheckpoint {

    static final String FILE = "replication-offset-checkpoint";
    private static final int VERSION = 0;

    private final Path file;

    HighWatermarkCheckpoint(Path logDir) {
        this.file = logDir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /**
     * @return every partition's checkpointed high watermark; empty when there is no file yet
     * @throws IOException when the file cannot be read or is not a checkpoint file (the message
     *                     says what is wrong, and where)
     */
    Map<TopicPartition, Long> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        if (lines.size() < 2) {
            throw malformed("it has " + lines.size() + " line(s); a version line and a count line are needed");
        }
        int version = number(lines.get(0), 1, "version");
        if (version != VERSION) {
            throw malformed("version " + version + " is not supported; expected " + VERSION);
        }
        int count = number(lines.get(1), 2, "count");
        if (count < 0 || lines.size() - 2 < count) {
            throw malformed("the count line says " + count + " entries but " + (lines.size() - 2) + " follow");
        }
        Map<TopicPartition, Long> offsets = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            String line = lines.get(i + 2);
            String[] fields = line.trim().split(" ");
            if (fields.length != 3) {
                throw malformed("line " + (i + 3) + " '" + line + "' is not 'topic partition offset'");
            }
            int partition = number(fields[1], i + 3, "partition");
            long offset;
            try {
                offset = Long.parseLong(fields[2]);
            } catch (NumberFormatException e) {
                throw malformed("line " + (i + 3) + " has offset '" + fields[2] + "', not a number");
            }
            if (partition < 0 || offset < 0) {
                throw malformed("line " + (i + 3) + " '" + line + "' has a negative partition or offset");
            }
            offsets.put(new TopicPartition(fields[0], partition), offset);
        }
        return offsets;
    }

    /** Replaces the file with {@code offsets}, durably. */
    void write(Map<TopicPartition, Long> offsets) throws IOException {
        StringBuilder text = new StringBuilder(32 + offsets.size() * 32);
        text.append(VERSION).append('\n').append(offsets.size()).append('\n');
        Map<String, Map<Integer, Long>> sorted = new TreeMap<>();
        offsets.forEach((tp, offset) -> sorted.computeIfAbsent(tp.topic(), t -> new TreeMap<>())
                .put(tp.partition(), offset));
        sorted.forEach((topic, partitions) -> partitions.forEach((partition, offset) -> text.append(topic)
                .append(' ').append(partition).append(' ').append(offset).append('\n')));
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // The rename itself must survive a crash, or the old file comes back.
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open a directory; the rename is then as durable as they make it.
        }
    }

    private int number(String text, int line, String what) throws IOException {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw malformed("line " + line + " has " + what + " '" + text + "', not a number");
        }
    }

    private IOException malformed(String problem) {
        return new IOException("Malformed high watermark checkpoint file " + file + ": " + problem);
    }
}
