package io.samsa.webconsole.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads one page of a partition for the Messages page: N records from a position, oldest or
 * newest first, optionally only those whose key equals a value or whose key, value or headers
 * contain a substring. A filter scans at most {@link #SCAN_BUDGET} records per page, so a
 * needle that is nowhere costs a bounded read, and the page says how far it got.
 */
final class PartitionBrowser {
    static final int SCAN_BUDGET = 10_000;
    private static final int CHUNK = 500;

    /** The partition as the browser reads it; {@link KafkaConnection} implements it with a consumer. */
    interface RecordSource {
        long beginningOffset();

        long endOffset();

        /** The first offset whose timestamp is at or after {@code timestamp}, or -1 if there is none. */
        long offsetForTime(long timestamp);

        /** Records with {@code from <= offset < to}, in offset order (a compacted partition may skip offsets). */
        List<ConsumerRecord<byte[], byte[]>> read(long from, long to);
    }

    enum Order { OLDEST, NEWEST }

    /** Where a page starts: earliest, latest, an offset or a timestamp (epoch milliseconds). */
    record Start(String kind, long value) {
        static Start parse(String kind, String value) {
            String k = kind == null || kind.isBlank() ? "latest" : kind.trim().toLowerCase(Locale.ROOT);
            switch (k) {
                case "earliest", "latest" -> {
                    return new Start(k, 0);
                }
                case "offset", "timestamp" -> {
                    if (value == null || value.isBlank()) {
                        throw new IllegalArgumentException("give the " + k + " to start from");
                    }
                    if (k.equals("timestamp") && !value.trim().chars().allMatch(Character::isDigit)) {
                        return new Start(k, time(value.trim()));
                    }
                    try {
                        long v = Long.parseLong(value.trim());
                        if (v < 0) {
                            throw new IllegalArgumentException(k + " must not be negative, not " + v);
                        }
                        return new Start(k, v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(k + " must be a whole number, not '" + value.trim() + "'");
                    }
                }
                default -> throw new IllegalArgumentException("start must be earliest, latest, offset or timestamp, not '" + kind + "'");
            }
        }
    }

    /** An ISO-8601 time, with offset or zone, or without it meaning UTC. */
    private static long time(String value) {
        try {
            return java.time.OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException notWithOffset) {
            try {
                return java.time.LocalDateTime.parse(value).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("timestamp must be epoch milliseconds or an ISO-8601 time such as"
                        + " 2026-12-04T19:00:00Z, not '" + value + "'");
            }
        }
    }

    /** What a page matches: an exact key and/or a substring of key, value or header values (either may be empty). */
    record Filter(String key, String contains) {
        boolean isEmpty() {
            return (key == null || key.isEmpty()) && (contains == null || contains.isEmpty());
        }

        boolean matches(ConsumerRecord<byte[], byte[]> record) {
            if (key != null && !key.isEmpty()
                    && (record.key() == null || !key.equals(new String(record.key(), StandardCharsets.UTF_8)))) {
                return false;
            }
            if (contains == null || contains.isEmpty()) {
                return true;
            }
            if (containsText(record.key()) || containsText(record.value())) {
                return true;
            }
            for (Header header : record.headers()) {
                if (header.key().contains(contains) || containsText(header.value())) {
                    return true;
                }
            }
            return false;
        }

        private boolean containsText(byte[] bytes) {
            return bytes != null && new String(bytes, StandardCharsets.UTF_8).contains(contains);
        }
    }

    /**
     * A page of records in display order, and where to go on.
     *
     * @param next the position to continue in the same order, or -1 at the partition's end (or beginning)
     * @param scanned records read to fill the page (more than shown when a filter skips some)
     * @param budgetExhausted the filter stopped at the scan budget before the page was full
     */
    record Page(List<ConsumerRecord<byte[], byte[]>> records, long beginning, long end, long next, int scanned,
            boolean budgetExhausted) {
    }

    private PartitionBrowser() {
    }

    /**
     * Oldest first reads {@code [start, ...)}; newest first reads down from just below the start
     * position: latest shows the last records, an offset shows that record and older ones, a
     * timestamp the records written before that time.
     */
    static Page read(RecordSource source, Start start, Order order, int count, Filter filter) {
        if (count < 1 || count > 1000) {
            throw new IllegalArgumentException("number of messages must be between 1 and 1000, not " + count);
        }
        long beginning = source.beginningOffset();
        long end = source.endOffset();
        long position = switch (start.kind()) {
            case "earliest" -> beginning;
            case "latest" -> end;
            case "offset" -> order == Order.NEWEST ? start.value() + 1 : start.value();
            default -> {
                long found = source.offsetForTime(start.value());
                yield found < 0 ? end : found;
            }
        };
        position = Math.max(beginning, Math.min(end, position));
        return order == Order.OLDEST ? forward(source, position, beginning, end, count, filter)
                : backward(source, position, beginning, end, count, filter);
    }

    private static Page forward(RecordSource source, long from, long beginning, long end, int count, Filter filter) {
        List<ConsumerRecord<byte[], byte[]>> shown = new ArrayList<>(count);
        int scanned = 0;
        long position = from;
        while (shown.size() < count && position < end && scanned < SCAN_BUDGET) {
            long to = Math.min(end, position + (filter.isEmpty() ? count - shown.size() : CHUNK));
            List<ConsumerRecord<byte[], byte[]>> chunk = source.read(position, to);
            for (ConsumerRecord<byte[], byte[]> record : chunk) {
                scanned++;
                position = record.offset() + 1;
                if (filter.matches(record)) {
                    shown.add(record);
                    if (shown.size() == count) {
                        break;
                    }
                }
            }
            if (chunk.isEmpty() || (shown.size() < count && position < to)) {
                position = to;
            }
        }
        boolean exhausted = shown.size() < count && position < end;
        return new Page(shown, beginning, end, position < end ? position : -1, scanned, exhausted);
    }

    private static Page backward(RecordSource source, long below, long beginning, long end, int count, Filter filter) {
        List<ConsumerRecord<byte[], byte[]>> shown = new ArrayList<>(count);
        int scanned = 0;
        long upper = below;
        while (shown.size() < count && upper > beginning && scanned < SCAN_BUDGET) {
            long lower = Math.max(beginning, upper - (filter.isEmpty() ? count - shown.size() : CHUNK));
            List<ConsumerRecord<byte[], byte[]>> chunk = new ArrayList<>(source.read(lower, upper));
            Collections.reverse(chunk);
            long reached = lower;
            for (ConsumerRecord<byte[], byte[]> record : chunk) {
                scanned++;
                if (filter.matches(record)) {
                    shown.add(record);
                    if (shown.size() == count) {
                        reached = record.offset();
                        break;
                    }
                }
            }
            upper = reached;
        }
        boolean exhausted = shown.size() < count && upper > beginning;
        // "next" for newest first: the exclusive upper bound of the following (older) page, expressed
        // as the offset to show next, so that offset mode with NEWEST continues exactly there
        return new Page(shown, beginning, end, upper > beginning ? upper - 1 : -1, scanned, exhausted);
    }
}
