package io.samsa.storage.format;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.Test;

import io.samsa.api.storage.CleanerConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.TimestampOffset;

/**
 * Log compaction ({@code cleanup.policy=compact} and {@code compact,delete}) as every storage
 * engine must do it: latest record per key kept with its offset, tombstones kept for
 * delete.retention.ms after their first cleaning, compressed and idempotent batches rewritten
 * faithfully, reads across the gaps, crash recovery of the segment swap, and appends and reads
 * that go on while the cleaner works.
 */
public abstract class PartitionLogCompactionContractTest extends PartitionLogTestSupport {

    static final String[] COMPACT = {"cleanup.policy", "compact", "segment.bytes", "600", "index.interval.bytes",
        "100", "segment.index.bytes", "1024", "delete.retention.ms", "1000"};

    /** One record as read back: offset, key and value (null for none), timestamp. */
    record Rec(long offset, String key, String value, long timestamp) {
    }

    /** A batch of keyed records at {@code timestamp}: key, value pairs; a null value is a tombstone. */
    static ByteBuffer keyed(long timestamp, String... keyValues) {
        return MemoryRecords.withRecords(Compression.NONE, records(timestamp, keyValues)).buffer();
    }

    static SimpleRecord[] records(long timestamp, String... keyValues) {
        SimpleRecord[] records = new SimpleRecord[keyValues.length / 2];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(timestamp, bytes(keyValues[2 * i]), bytes(keyValues[2 * i + 1]));
        }
        return records;
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    /** A retention check that compacts, waiting for the cleaner. */
    static int compact(PartitionLog log, long nowMs) throws Exception {
        int deleted = log.enforceRetention(nowMs);
        assertTrue("the cleaning finishes", ((SegmentedPartitionLog) log).awaitCleaning(10_000));
        return deleted;
    }

    /** Every record from the log start offset, in order. */
    static List<Rec> records(PartitionLog log) throws Exception {
        List<Rec> out = new ArrayList<>();
        for (MutableRecordBatch b : allBatches(log)) {
            for (Record r : b) {
                out.add(new Rec(r.offset(), r.hasKey() ? string(r.key()) : null, string(r.value()), r.timestamp()));
            }
        }
        return out;
    }

    static List<MutableRecordBatch> allBatches(PartitionLog log) throws Exception {
        List<MutableRecordBatch> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            List<MutableRecordBatch> got = batches(log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE));
            assertFalse("a read below the log end offset returns a batch", got.isEmpty());
            assertTrue("the first batch holds or follows " + offset, got.get(0).lastOffset() >= offset);
            out.addAll(got);
            offset = got.get(got.size() - 1).lastOffset() + 1;
        }
        return out;
    }

    /** Records written by {@link #fill} name their offsets: a moved record would not. */
    static void assertValuesNameTheirOffsets(List<Rec> records) {
        for (Rec r : records) {
            assertEquals("v" + r.offset(), r.value());
        }
    }

    /** After {@link #fill} up to {@code end} (a multiple of {@code keys}): each key's last record is the last written. */
    static void assertLatestValues(List<Rec> records, int keys, long end) {
        assertValuesNameTheirOffsets(records);
        Map<String, Long> latest = new HashMap<>();
        records.forEach(r -> latest.put(r.key(), r.offset()));
        for (int k = 0; k < keys; k++) {
            assertEquals("the latest record of k" + k, end - keys + k, (long) latest.get("k" + k));
        }
    }

    /** The base offset of the active (last) segment. */
    long activeBase() throws Exception {
        List<java.nio.file.Path> logs = files(".log");
        return baseOffsetOf(logs.get(logs.size() - 1));
    }

    /** Single-record batches with keys k0..k(keys-1) in turn, values naming their offsets. */
    static void fill(PartitionLog log, int from, int to, int keys) throws Exception {
        for (int i = from; i < to; i++) {
            log.append(keyed(T0 + i, "k" + (i % keys), "v" + i), 0);
        }
    }

    @Test
    public void minCleanableDirtyRatioDecidesWhenACleaningStartsAndChangesLive() throws Exception {
        PartitionLog log = open(config(concat(COMPACT, "min.cleanable.dirty.ratio", "1")));
        fill(log, 0, 60, 5);
        compact(log, T0 + 100);
        assertEquals("a log can never be more than wholly dirty: ratio 1 never cleans", 60, records(log).size());

        log.updateConfig(config(concat(COMPACT, "min.cleanable.dirty.ratio", "0.5")));
        compact(log, T0 + 100);
        assertTrue("cleaned once the ratio allows it", records(log).size() < 60);
        assertLatestValues(records(log), 5, 60);
    }

    @Test
    public void recordsYoungerThanMinCompactionLagMsStayUncompacted() throws Exception {
        PartitionLog log = open(config(concat(COMPACT, "min.compaction.lag.ms", "70")));
        fill(log, 0, 60, 5);
        long active = activeBase();
        compact(log, T0 + 100); // records at T0 + 31 and later are younger than 70 ms

        List<Rec> after = records(log);
        for (long offset = 31; offset < 60; offset++) {
            long o = offset;
            assertTrue("young record " + o + " is kept", after.stream().anyMatch(r -> r.offset() == o));
        }
        assertTrue("old records were cleaned: " + after.size(), after.size() < 60);
        assertValuesNameTheirOffsets(after);

        compact(log, T0 + 1_000);
        long sealedLeft = records(log).stream().filter(r -> r.offset() < active).count();
        assertEquals("once old enough every sealed segment is cleaned down to one record per key", 5, sealedLeft);
    }

    @Test
    public void cleanerThreadsAndRateChangeOnARunningEngine() throws Exception {
        SegmentedStorageEngine engine = (SegmentedStorageEngine) engine();
        assertEquals(CleanerConfig.DEFAULTS, engine.cleanerConfig());
        engine.configureCleaner(new CleanerConfig(3, 1e9));
        assertEquals(new CleanerConfig(3, 1e9), engine.cleanerConfig());
        engine.configureCleaner(new CleanerConfig(2, 5e8));
        assertEquals(new CleanerConfig(2, 5e8), engine.cleanerConfig());

        PartitionLog log = engine.open(TP, dir, config(COMPACT));
        try {
            fill(log, 0, 60, 5);
            compact(log, T0 + 100);
            assertLatestValues(records(log), 5, 60);
        } finally {
            log.close();
        }
        assertThrows(IllegalArgumentException.class, () -> new CleanerConfig(0, 1));
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    public void keepsTheLatestRecordPerKeyAcrossSegmentsWithOffsetsUnchanged() throws Exception {
        PartitionLog log = open(COMPACT);
        fill(log, 0, 60, 5);
        log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(T0 + 60, null, bytes("no key"))).buffer(), 0);
        fill(log, 61, 64, 5);
        long end = log.logEndOffset();
        long active = activeBase();
        assertTrue("several sealed segments", files(".log").size() > 5 && active > 40);

        compact(log, T0 + 100);

        assertEquals("the log end offset never moves", end, log.logEndOffset());
        assertEquals(0, log.logStartOffset());
        Map<String, Long> latestSealed = new HashMap<>();
        for (int i = 0; i < active; i++) {
            latestSealed.put(i == 60 ? null : "k" + (i % 5), (long) i);
        }
        Set<String> seenSealed = new HashSet<>();
        for (Rec r : records(log)) {
            assertEquals("offsets are kept", r.offset() == 60 ? "no key" : "v" + r.offset(), r.value());
            if (r.offset() < active) {
                assertEquals("only the latest sealed record of " + r.key(), latestSealed.get(r.key()),
                        (Long) r.offset());
                assertTrue(seenSealed.add(r.key()));
            }
        }
        assertEquals("every key, and the keyless record, is still there", latestSealed.keySet(), seenSealed);
        List<Rec> tail = records(log).stream().filter(r -> r.offset() >= active).toList();
        assertEquals("the active segment is not cleaned", end - active, tail.size());

        fill(log, 64, 130, 5);
        int segmentsBeforeSecond = files(".log").size();
        compact(log, T0 + 200);
        assertTrue("the small cleaned segments are merged: " + files(".log"),
                files(".log").size() < segmentsBeforeSecond - 3);
        for (Rec r : records(log)) {
            assertEquals(r.offset() == 60 ? "no key" : "v" + r.offset(), r.value());
        }
        log.close();
        verifyKafkaFormat();
    }

    @Test
    public void tombstonesStayForDeleteRetentionMsAfterTheirFirstCleaning() throws Exception {
        PartitionLog log = open(COMPACT);
        log.append(keyed(T0, "gone", "old", "kept", "x"), 0);
        log.append(keyed(T0 + 1, "gone", null), 0); // offset 2
        fill(log, 3, 20, 4);
        compact(log, T0 + 5_000);

        Rec tombstone = find(records(log), "gone");
        assertEquals("the tombstone stays, the value it deleted goes", 2, tombstone.offset());
        assertNull(tombstone.value());
        MutableRecordBatch stamped = batches(log.read(2, 1, Long.MAX_VALUE)).get(0);
        assertEquals("the first cleaning stamps the delete horizon", T0 + 5_000 + 1000,
                stamped.deleteHorizonMs().getAsLong());
        assertEquals("a tombstone's timestamp is not its age", T0 + 1, tombstone.timestamp());

        fill(log, 20, 60, 4); // dirty enough to be cleaned again before the horizon
        compact(log, T0 + 5_999);
        assertNotNull("kept until delete.retention.ms after the first cleaning", find(records(log), "gone"));
        assertEquals("x", find(records(log), "kept").value());

        compact(log, T0 + 6_000);
        assertNull("gone once the horizon passed", find(records(log), "gone"));
        assertEquals("x", find(records(log), "kept").value());
        assertTrue("a read at the removed offset returns the next batch",
                batches(log.read(2, 1, Long.MAX_VALUE)).get(0).baseOffset() > 2);
        log.close();
        verifyKafkaFormat();
    }

    private static Rec find(List<Rec> records, String key) {
        Rec found = null;
        for (Rec r : records) {
            if (key.equals(r.key())) {
                assertNull("one record per key in a compacted log: " + key, found);
                found = r;
            }
        }
        return found;
    }

    @Test
    public void readsListOffsetsAndTimestampsWorkAcrossTheGaps() throws Exception {
        PartitionLog log = open(COMPACT);
        fill(log, 0, 40, 3);
        long end = log.logEndOffset();
        compact(log, T0 + 100);
        List<Rec> kept = records(log);
        Set<Long> keptOffsets = new HashSet<>();
        kept.forEach(r -> keptOffsets.add(r.offset()));
        assertTrue("the cleaning removed records", kept.size() < end);
        for (long offset = 0; offset < end; offset++) {
            MutableRecordBatch b = batches(log.read(offset, 1, Long.MAX_VALUE)).get(0);
            if (keptOffsets.contains(offset)) {
                assertTrue(b.baseOffset() <= offset && offset <= b.lastOffset());
            } else {
                // the next batch, or the emptied batch that kept the removed offset's place
                assertTrue("a removed offset reads from the batch after it", b.lastOffset() >= offset);
                long removed = offset;
                long next = kept.stream().mapToLong(Rec::offset).filter(o -> o > removed).min().orElseThrow();
                assertEquals("the first record read after removed offset " + offset, next, firstRecordFrom(log, offset));
            }
        }
        for (long ts = T0; ts < T0 + 40; ts += 3) {
            long wanted = ts;
            Rec expected = kept.stream().filter(r -> r.timestamp() >= wanted).findFirst().orElseThrow();
            TimestampOffset found = log.offsetForTimestamp(ts);
            assertEquals("offsetForTimestamp(" + ts + ")", expected.offset(), found.offset());
            assertEquals(expected.timestamp(), found.timestamp());
        }
        assertEquals(T0 + 39, log.maxTimestamp().timestamp());
        assertEquals(39, log.maxTimestamp().offset());
        assertEquals("a consumer bound by the high watermark", 0, log.read(end - 1, 1000, end - 1).sizeInBytes());
        assertEquals(end, log.append(keyed(T0 + 50, "k0", "v" + end), 0).firstOffset());
    }

    /** The offset of the first record a consumer fetching from {@code offset} gets, reading on past empty batches. */
    private static long firstRecordFrom(PartitionLog log, long offset) throws Exception {
        long at = offset;
        while (at < log.logEndOffset()) {
            List<MutableRecordBatch> got = batches(log.read(at, 1 << 20, Long.MAX_VALUE));
            for (MutableRecordBatch b : got) {
                for (Record r : b) {
                    return r.offset();
                }
            }
            at = got.get(got.size() - 1).lastOffset() + 1;
        }
        return -1;
    }

    @Test
    public void compressedIdempotentBatchesAreRewrittenWithTheirCodecAndProducerState() throws Exception {
        PartitionLog log = open(COMPACT);
        List<Long> bases = new ArrayList<>();
        int sequence = 0;
        for (int i = 0; i < 14; i++) {
            // odd batches hold only keys a and b, which later batches overwrite
            SimpleRecord[] records = i % 2 == 0 ? records(T0 + i, "a", "a" + i, "b", "b" + i, "u" + i, "u" + i)
                    : records(T0 + i, "a", "a" + i, "b", "b" + i);
            ByteBuffer b = MemoryRecords.withIdempotentRecords(Compression.gzip().build(), 77L, (short) 3, sequence,
                    records).buffer();
            bases.add(log.append(b, 0).firstOffset());
            sequence += records.length;
        }
        Map<Long, MutableRecordBatch> originals = new HashMap<>();
        allBatches(log).forEach(b -> originals.put(b.baseOffset(), b));
        long active = activeBase();
        int lastSealed = bases.indexOf(active) - 1;
        assertTrue(lastSealed > 4);
        compact(log, T0 + 100);

        List<MutableRecordBatch> after = allBatches(log);
        assertTrue("batches left without records are dropped", after.size() < originals.size());
        for (MutableRecordBatch b : after) {
            MutableRecordBatch original = originals.get(b.baseOffset());
            assertNotNull("batches keep their base offset", original);
            if (b.countOrNull() > 0) {
                assertEquals("recompressed with the batch's codec", CompressionType.GZIP, b.compressionType());
            }
            assertEquals(77L, b.producerId());
            assertEquals(3, b.producerEpoch());
            assertEquals(original.baseSequence(), b.baseSequence());
            assertEquals("the last offset (and so the last sequence) is kept", original.lastOffset(), b.lastOffset());
            assertEquals(original.lastSequence(), b.lastSequence());
        }
        Map<String, String> values = new HashMap<>();
        for (Rec r : records(log)) {
            if (r.offset() < active) {
                assertNull("one record per key below the active segment: " + r.key(), values.put(r.key(), r.value()));
            }
        }
        assertEquals("a" + lastSealed, values.get("a"));
        assertEquals("b" + lastSealed, values.get("b"));
        for (int i = 0; i <= lastSealed; i += 2) {
            assertEquals("u" + i, values.get("u" + i));
        }
        assertEquals(2 + (lastSealed + 2) / 2, values.size());
        log.close();
        verifyKafkaFormat();
    }

    @Test
    public void compactDeleteAlsoAppliesRetention() throws Exception {
        PartitionLog log = open("cleanup.policy", "compact,delete", "segment.bytes", "600", "retention.ms", "10000",
                "delete.retention.ms", "1000");
        for (int i = 0; i < 40; i++) {
            log.append(keyed(T0 + i * 1000L, "k" + (i % 4), "v" + i), 0);
        }
        int deleted = compact(log, T0 + 25_000);
        assertTrue("segments past retention.ms go", deleted > 0);
        long start = log.logStartOffset();
        assertTrue(start > 0 && start <= 15);
        long active = activeBase();
        Set<String> keys = new HashSet<>();
        assertValuesNameTheirOffsets(records(log));
        for (Rec r : records(log)) {
            assertTrue(r.offset() >= start);
            if (r.offset() < active) {
                assertTrue("compacted too: " + r.key() + " twice", keys.add(r.key()));
            }
        }
        assertEquals(4, keys.size());
        assertEquals(40, log.logEndOffset());
    }

    @Test
    public void theDeletePolicyDoesNotCompact() throws Exception {
        PartitionLog log = open("segment.bytes", "600");
        fill(log, 0, 40, 2);
        byte[] before = readAll(log);
        log.enforceRetention(T0 + 100);
        assertTrue(((SegmentedPartitionLog) log).awaitCleaning(10_000));
        assertArrayEquals(before, readAll(log));
        assertFalse(Files.exists(dir.resolve(CheckpointFiles.CLEANER_CHECKPOINT)));
    }

    @Test
    public void onlyALogMoreThanHalfDirtyIsCleaned() throws Exception {
        PartitionLog log = open(COMPACT);
        for (int i = 0; i < 60; i++) {
            log.append(keyed(T0 + i, "u" + i, "v" + i), 0);
        }
        compact(log, T0 + 100); // nothing to remove, but the log is now clean up to the active segment
        fill(log, 60, 75, 3);   // the same three keys: one more sealed segment, far below half the bytes
        compact(log, T0 + 200);
        assertEquals("not dirty enough: nothing cleaned", 75, records(log).size());
        fill(log, 75, 150, 3);
        compact(log, T0 + 300);
        long active = activeBase();
        List<Rec> kept = records(log);
        assertEquals("u0 to u59 and the latest sealed k0, k1, k2", 60 + 3 + (150 - active), kept.size());
    }

    @Test
    public void aReopenedCompactedLogReadsTheSameAndKeepsItsIndexesValid() throws Exception {
        PartitionLog log = open(COMPACT);
        fill(log, 0, 80, 7);
        compact(log, T0 + 100);
        byte[] all = readAll(log);
        long end = log.logEndOffset();
        TimestampOffset at = log.offsetForTimestamp(T0 + 30);
        TimestampOffset max = log.maxTimestamp();
        log.close();
        verifyKafkaFormat();
        assertTrue(Files.exists(dir.resolve(CheckpointFiles.CLEANER_CHECKPOINT)));

        PartitionLog reopened = open(COMPACT);
        assertArrayEquals(all, readAll(reopened));
        assertEquals(end, reopened.logEndOffset());
        assertEquals(at, reopened.offsetForTimestamp(T0 + 30));
        assertEquals(max, reopened.maxTimestamp());
        compact(reopened, T0 + 200);
        assertArrayEquals("a clean log is left as it is", all, readAll(reopened));
        assertEquals(end, reopened.append(keyed(T0 + 90, "k1", "v" + end), 0).firstOffset());
        reopened.close();
        verifyKafkaFormat();
    }

    @Test
    public void aFollowerTruncationIntoACompactedSegmentWorks() throws Exception {
        PartitionLog log = open(COMPACT);
        fill(log, 0, 40, 3);
        compact(log, T0 + 100);
        List<Rec> kept = records(log);
        long gap = -1;
        for (long o = 1; o < 30 && gap < 0; o++) {
            long offset = o;
            if (kept.stream().noneMatch(r -> r.offset() == offset)) {
                gap = o;
            }
        }
        assertTrue(gap > 0);
        log.truncateTo(gap);
        assertEquals(gap, log.logEndOffset());
        fill(log, (int) gap, 50, 3);
        compact(log, T0 + 200);
        assertValuesNameTheirOffsets(records(log));
        assertEquals(50, log.logEndOffset());
        log.close();
        verifyKafkaFormat();
    }

    @Test
    public void slicesOfReplacedSegmentsStayReadable() throws Exception {
        PartitionLog log = open(COMPACT);
        fill(log, 0, 40, 2);
        LogSlice slice = log.read(0, 1 << 20, Long.MAX_VALUE);
        byte[] before = transfer(slice, 1 << 20);
        compact(log, T0 + 100);
        assertTrue("the slice's batches are gone from the log", records(log).get(0).offset() > 0);
        assertArrayEquals(before, transfer(slice, 17));
    }

    @Test
    public void appendsAndReadsGoOnWhileTheCleanerWorks() throws Exception {
        PartitionLog log = open("cleanup.policy", "compact", "segment.bytes", "4000", "index.interval.bytes", "200");
        fill(log, 0, 1500, 40);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (!stop.get()) {
                    long end = log.logEndOffset();
                    long from = (end * 7919) % Math.max(1, end);
                    List<MutableRecordBatch> got = batches(log.read(from, 3000, Long.MAX_VALUE));
                    if (got.isEmpty() || got.get(0).lastOffset() < from) {
                        throw new AssertionError("nothing read at " + from + " below " + end);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        log.enforceRetention(T0 + 2000); // starts the cleaning, which runs beside these appends
        fill(log, 1500, 2000, 40);
        assertTrue(((SegmentedPartitionLog) log).awaitCleaning(10_000));
        stop.set(true);
        reader.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError("reader failed", failure.get());
        }
        assertEquals(2000, log.logEndOffset());
        List<Rec> kept = records(log);
        assertTrue("the cleaning removed records", kept.size() < 1500);
        assertLatestValues(kept, 40, 2000);
        assertEquals("nothing appended during the cleaning is lost", 500,
                kept.stream().filter(r -> r.offset() >= 1500).count());
        log.close();
        verifyKafkaFormat();
    }
}
