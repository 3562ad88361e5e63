package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.Test;

import io.samsa.webconsole.kafka.PartitionBrowser.Filter;
import io.samsa.webconsole.kafka.PartitionBrowser.Order;
import io.samsa.webconsole.kafka.PartitionBrowser.Start;

public class PartitionBrowserTest {
    private static final Filter ALL = new Filter("", "");

    /** Offsets 10..59 minus the odd ones from 20 to 29 (compacted away); timestamp = 1000 * offset; key k(offset % 3). */
    private static final class FakePartition implements PartitionBrowser.RecordSource {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        int reads;

        FakePartition() {
            for (long o = 10; o < 60; o++) {
                if (o >= 20 && o < 30 && o % 2 == 1) {
                    continue;
                }
                RecordHeaders headers = new RecordHeaders();
                if (o == 42) {
                    headers.add("trace", "needle-in-header".getBytes(StandardCharsets.UTF_8));
                }
                records.add(new ConsumerRecord<>("t", 0, o, 1000 * o, TimestampType.CREATE_TIME, 1, 1,
                        ("k" + (o % 3)).getBytes(StandardCharsets.UTF_8), ("value " + o).getBytes(StandardCharsets.UTF_8),
                        headers, Optional.empty()));
            }
        }

        @Override
        public long beginningOffset() {
            return 10;
        }

        @Override
        public long endOffset() {
            return 60;
        }

        @Override
        public long offsetForTime(long timestamp) {
            return records.stream().filter(r -> r.timestamp() >= timestamp).mapToLong(ConsumerRecord::offset).findFirst().orElse(-1);
        }

        @Override
        public List<ConsumerRecord<byte[], byte[]>> read(long from, long to) {
            reads++;
            return records.stream().filter(r -> r.offset() >= from && r.offset() < to).toList();
        }
    }

    private static List<Long> offsets(PartitionBrowser.Page page) {
        return page.records().stream().map(ConsumerRecord::offset).toList();
    }

    @Test
    public void latestNewestFirstShowsTheLastRecordsDownwards() {
        PartitionBrowser.Page page = PartitionBrowser.read(new FakePartition(), Start.parse("latest", null), Order.NEWEST, 3, ALL);
        assertEquals(List.of(59L, 58L, 57L), offsets(page));
        assertEquals(56, page.next());
        assertEquals(10, page.beginning());
        assertEquals(60, page.end());
    }

    @Test
    public void theNextPageContinuesWhereThePreviousStopped() {
        FakePartition partition = new FakePartition();
        PartitionBrowser.Page first = PartitionBrowser.read(partition, Start.parse("offset", "25"), Order.NEWEST, 3, ALL);
        assertEquals("offset 25 was compacted away: the page starts below it", List.of(24L, 22L, 20L), offsets(first));
        PartitionBrowser.Page second = PartitionBrowser.read(partition, Start.parse("offset", String.valueOf(first.next())),
                Order.NEWEST, 3, ALL);
        assertEquals(List.of(19L, 18L, 17L), offsets(second));
    }

    @Test
    public void earliestOldestFirstSkipsCompactedOffsets() {
        FakePartition partition = new FakePartition();
        PartitionBrowser.Page page = PartitionBrowser.read(partition, Start.parse("offset", "19"), Order.OLDEST, 4, ALL);
        assertEquals(List.of(19L, 20L, 22L, 24L), offsets(page));
        assertEquals(25, page.next());
        PartitionBrowser.Page last = PartitionBrowser.read(partition, Start.parse("earliest", null), Order.OLDEST, 1000, ALL);
        assertEquals(45, last.records().size());
        assertEquals("nothing after the end", -1, last.next());
    }

    @Test
    public void aTimestampStartsAtTheFirstRecordAtOrAfterIt() {
        FakePartition partition = new FakePartition();
        assertEquals(List.of(30L, 31L), offsets(PartitionBrowser.read(partition, Start.parse("timestamp", "29500"), Order.OLDEST, 2, ALL)));
        assertEquals("newest first: the records before that time", List.of(26L, 24L),
                offsets(PartitionBrowser.read(partition, Start.parse("timestamp", "27500"), Order.NEWEST, 2, ALL)));
        assertEquals("an ISO time is read as UTC", List.of(30L),
                offsets(PartitionBrowser.read(partition, Start.parse("timestamp", "1970-01-01T00:00:29.500"), Order.OLDEST, 1, ALL)));
        assertTrue("after the last record: nothing newer",
                PartitionBrowser.read(partition, Start.parse("timestamp", "999999"), Order.OLDEST, 5, ALL).records().isEmpty());
    }

    @Test
    public void offsetsOutsideThePartitionAreClampedToItsEnds() {
        FakePartition partition = new FakePartition();
        assertEquals(List.of(10L, 11L), offsets(PartitionBrowser.read(partition, Start.parse("offset", "0"), Order.OLDEST, 2, ALL)));
        assertEquals(List.of(59L), offsets(PartitionBrowser.read(partition, Start.parse("offset", "1000"), Order.NEWEST, 1, ALL)));
        assertTrue(PartitionBrowser.read(partition, Start.parse("offset", "3"), Order.NEWEST, 5, ALL).records().isEmpty());
    }

    @Test
    public void filtersMatchTheKeyExactlyOrASubstringAnywhere() {
        FakePartition partition = new FakePartition();
        assertEquals(List.of(57L, 54L, 51L), offsets(PartitionBrowser.read(partition, Start.parse("latest", null), Order.NEWEST, 3,
                new Filter("k0", ""))));
        assertEquals(List.of(42L), offsets(PartitionBrowser.read(partition, Start.parse("earliest", null), Order.OLDEST, 10,
                new Filter("", "needle"))));
        assertEquals(List.of(33L), offsets(PartitionBrowser.read(partition, Start.parse("earliest", null), Order.OLDEST, 10,
                new Filter("k0", "value 33"))));
        assertEquals(List.of(), offsets(PartitionBrowser.read(partition, Start.parse("earliest", null), Order.OLDEST, 10,
                new Filter("k1", "value 33"))));
    }

    @Test
    public void aFilterReadsInChunksNotARecordAtATime() {
        FakePartition partition = new FakePartition();
        PartitionBrowser.Page page = PartitionBrowser.read(partition, Start.parse("latest", null), Order.NEWEST, 5, new Filter("", "absent"));
        assertTrue(page.records().isEmpty());
        assertEquals(45, page.scanned());
        assertFalse(page.budgetExhausted());
        assertEquals(1, partition.reads);
    }

    @Test
    public void badStartsAreNamed() {
        assertEquals("offset must be a whole number, not 'ten'",
                assertThrows(IllegalArgumentException.class, () -> Start.parse("offset", "ten")).getMessage());
        assertEquals("give the offset to start from",
                assertThrows(IllegalArgumentException.class, () -> Start.parse("offset", " ")).getMessage());
        assertEquals("offset must not be negative, not -3",
                assertThrows(IllegalArgumentException.class, () -> Start.parse("offset", "-3")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Start.parse("timestamp", "yesterday")).getMessage()
                .startsWith("timestamp must be epoch milliseconds or an ISO-8601 time"));
        assertEquals("start must be earliest, latest, offset or timestamp, not 'middle'",
                assertThrows(IllegalArgumentException.class, () -> Start.parse("middle", null)).getMessage());
        assertEquals("number of messages must be between 1 and 1000, not 0", assertThrows(IllegalArgumentException.class,
                () -> PartitionBrowser.read(new FakePartition(), Start.parse("latest", null), Order.NEWEST, 0, ALL)).getMessage());
    }
}
