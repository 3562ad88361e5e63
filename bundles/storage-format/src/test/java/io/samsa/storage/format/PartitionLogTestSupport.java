package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * Helpers for storage engine contract tests: real record batches built with kafka-clients,
 * slices decoded with kafka-clients, and segment files checked the way Kafka's DumpLogSegments
 * checks them. Engine-neutral: it knows only Kafka's on-disk format.
 */
public abstract class PartitionLogTestSupport {

    protected static final TopicPartition TP = new TopicPartition("orders", 3);
    protected static final long T0 = 1_700_000_000_000L;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    protected Path dir;
    private final List<PartitionLog> opened = new ArrayList<>();

    /** The engine under test; a new instance per call is fine. */
    protected abstract StorageEngine engine();

    @Before
    public void createDir() throws IOException {
        dir = tmp.getRoot().toPath().resolve(TP.topic() + "-" + TP.partition());
    }

    @After
    public void closeLogs() throws IOException {
        for (PartitionLog log : opened) {
            log.close();
        }
    }

    protected PartitionLog open(LogConfig config) throws IOException {
        PartitionLog log = engine().open(TP, dir, config);
        opened.add(log);
        return log;
    }

    /** Opens the log in {@code partitionDir} (a {@link #crashImage}, say), closed after the test. */
    protected PartitionLog openAt(Path partitionDir, String... overrides) throws IOException {
        PartitionLog log = engine().open(TP, partitionDir, config(overrides));
        opened.add(log);
        return log;
    }

    protected PartitionLog open(String... overrides) throws IOException {
        return open(config(overrides));
    }

    protected static LogConfig config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return LogConfig.from(m, LogConfig.DEFAULTS);
    }

    /** Makes the next open treat the directory as not cleanly shut down. */
    protected void simulateUncleanShutdown() throws IOException {
        Files.deleteIfExists(dir.resolve(".kafka_cleanshutdown"));
    }

    /** One uncompressed v2 batch of {@code count} records, all at {@code timestamp}. */
    protected static ByteBuffer batch(long timestamp, int count) {
        long[] ts = new long[count];
        java.util.Arrays.fill(ts, timestamp);
        return batchWithTimestamps(ts);
    }

    protected static ByteBuffer batchWithTimestamps(long... timestamps) {
        SimpleRecord[] records = new SimpleRecord[timestamps.length];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(timestamps[i], ("key" + i).getBytes(), ("value-" + i + "-" + timestamps[i]).getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, records).buffer();
    }

    protected static ByteBuffer concat(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer b : parts) {
            size += b.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer b : parts) {
            out.put(b.duplicate());
        }
        return out.flip();
    }

    /** Decodes the slice (through readInto) into batches, checking every CRC. */
    protected static List<MutableRecordBatch> batches(LogSlice slice) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(slice.sizeInBytes());
        slice.readInto(buf, 0);
        buf.flip();
        List<MutableRecordBatch> out = new ArrayList<>();
        for (MutableRecordBatch b : MemoryRecords.readableRecords(buf).batches()) {
            b.ensureValid();
            out.add(b);
        }
        assertEquals("slice must hold whole batches only", slice.sizeInBytes(), sizeOf(out));
        return out;
    }

    private static int sizeOf(List<MutableRecordBatch> batches) {
        return batches.stream().mapToInt(RecordBatch::sizeInBytes).sum();
    }

    protected static List<Long> baseOffsets(LogSlice slice) throws IOException {
        List<Long> out = new ArrayList<>();
        for (RecordBatch b : batches(slice)) {
            out.add(b.baseOffset());
        }
        return out;
    }

    /** Sends the slice through transferTo in pieces, as the network layer does. */
    protected static byte[] transfer(LogSlice slice, int piece) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel target = Channels.newChannel(out);
        long position = 0;
        while (position < slice.sizeInBytes()) {
            long n = slice.transferTo(target, position, Math.min(piece, slice.sizeInBytes() - position));
            assertTrue("transferTo made no progress", n > 0);
            position += n;
        }
        return out.toByteArray();
    }

    /**
     * Every byte of the log from its start offset, read slice by slice (a read stays inside one
     * segment) and sent through {@link LogSlice#transferTo}, checking each slice's batches.
     */
    protected static byte[] readAll(PartitionLog log) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            LogSlice slice = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE);
            List<MutableRecordBatch> got = batches(slice);
            assertTrue("a read below the log end offset returns a batch", !got.isEmpty());
            out.write(transfer(slice, 4096));
            offset = got.get(got.size() - 1).lastOffset() + 1;
        }
        return out.toByteArray();
    }

    /**
     * A copy of the partition directory as a kill -9 of the broker would leave it now: the
     * files as written (the page cache survives a process kill), no clean-shutdown marker.
     * Each call makes a new copy. The log's background threads may write meanwhile, so call it
     * when what the test checks is written, as a crash at that moment would find it.
     */
    protected Path crashImage() throws IOException {
        Path copy = tmp.newFolder().toPath().resolve(dir.getFileName());
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    Files.copy(f, copy.resolve(f.getFileName()));
                } catch (NoSuchFileException e) {
                    // renamed or deleted meanwhile (the engine's flusher writes checkpoints): a crash can miss it too
                }
            }
        }
        return copy;
    }

    protected List<Path> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    protected static long baseOffsetOf(Path segmentFile) {
        String name = segmentFile.getFileName().toString();
        assertTrue("segment file name is 20 digits: " + name, name.matches("\\d{20}\\..*"));
        return Long.parseLong(name.substring(0, 20));
    }

    /**
     * Parses every {@code .log} file with kafka-clients' FileRecords (CRCs, offsets increasing,
     * first batch at the file's base offset) and checks each index entry against the log as
     * Kafka's DumpLogSegments does.
     *
     * @return the offsets of all records, in order
     */
    protected List<Long> verifyKafkaFormat() throws IOException {
        List<Long> offsets = new ArrayList<>();
        for (Path logFile : files(".log")) {
            long base = baseOffsetOf(logFile);
            try (FileRecords records = FileRecords.open(logFile.toFile(), false)) {
                long expectedAtLeast = base;
                for (FileChannelRecordBatch b : records.batches()) {
                    b.ensureValid();
                    assertEquals(RecordBatch.MAGIC_VALUE_V2, b.magic());
                    assertTrue("offsets increase in " + logFile, b.baseOffset() >= expectedAtLeast);
                    for (Record r : b) {
                        offsets.add(r.offset());
                    }
                    expectedAtLeast = b.lastOffset() + 1;
                }
                verifyIndexes(logFile, base, records);
            }
        }
        for (int i = 1; i < offsets.size(); i++) {
            assertTrue("record offsets increase", offsets.get(i) > offsets.get(i - 1));
        }
        return offsets;
    }

    private void verifyIndexes(Path logFile, long base, FileRecords records) throws IOException {
        String stem = logFile.getFileName().toString().replace(".log", "");
        Path index = dir.resolve(stem + ".index");
        Path timeIndex = dir.resolve(stem + ".timeindex");
        if (!isActiveSegment(logFile)) {
            assertEquals("non-active offset index trimmed", 0, Files.size(index) % 8);
            assertEquals("non-active time index trimmed", 0, Files.size(timeIndex) % 12);
        }
        ByteBuffer entries = read(index);
        while (entries.remaining() >= 8) {
            long offset = base + entries.getInt();
            int position = entries.getInt();
            if (offset == base && position == 0) {
                break; // preallocated zeros of the active segment
            }
            Iterator<FileChannelRecordBatch> it = records.batchesFrom(position).iterator();
            assertTrue(it.hasNext());
            assertEquals("index entry offset is the last offset of the batch at its position", offset, it.next().lastOffset());
        }
        ByteBuffer times = read(timeIndex);
        long previous = -1;
        while (times.remaining() >= 12) {
            long ts = times.getLong();
            long offset = base + times.getInt();
            if (ts == 0 && offset == base) {
                break;
            }
            assertTrue("time index timestamps increase", ts > previous);
            previous = ts;
            FileChannelRecordBatch match = null;
            for (FileChannelRecordBatch b : records.batches()) {
                if (b.lastOffset() == offset) {
                    match = b;
                }
            }
            assertTrue("time index offset " + offset + " is a batch's last offset", match != null);
            long max = -1;
            for (Record r : match) {
                max = Math.max(max, r.timestamp());
            }
            assertEquals("time index timestamp is the batch's max", ts, max);
        }
    }

    private boolean isActiveSegment(Path logFile) throws IOException {
        List<Path> logs = files(".log");
        return logFile.equals(logs.get(logs.size() - 1));
    }

    protected static ByteBuffer read(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.BIG_ENDIAN);
    }

    protected static void appendBytes(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(bytes));
        }
    }
}
