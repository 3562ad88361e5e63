package io.samsa.webconsole.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Where a consumer group's offset reset moves each partition, computed before anything is
 * changed so the page can show the plan (the dry run) and apply exactly that plan. Like Kafka's
 * own tool, a target outside the partition's records is moved to its nearest end.
 */
final class OffsetReset {

    enum Strategy {
        EARLIEST, LATEST, TIMESTAMP, OFFSET;

        static Strategy parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("reset to earliest, latest, timestamp or offset, not '" + name + "'");
            }
        }

        boolean needsValue() {
            return this == TIMESTAMP || this == OFFSET;
        }
    }

    /** One partition's move: {@code current} is null when the group has committed nothing there. */
    record Move(TopicPartition partition, Long current, long target) {
    }

    private OffsetReset() {
    }

    /** The value of a timestamp or offset reset, checked: a whole number, not negative. */
    static long value(Strategy strategy, String value) {
        if (!strategy.needsValue()) {
            return -1;
        }
        String name = strategy.name().toLowerCase(Locale.ROOT);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("give the " + name + " to reset to");
        }
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new IllegalArgumentException(name + " must not be negative, not " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value.trim() + "'");
        }
    }

    /**
     * The moves, sorted by topic and partition.
     *
     * @param atTimestamp for TIMESTAMP, the first offset at or after the time per partition (-1 or absent: none, so the end)
     */
    static List<Move> plan(Strategy strategy, long value, Collection<TopicPartition> partitions,
            Map<TopicPartition, Long> committed, Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> latest,
            Map<TopicPartition, Long> atTimestamp) {
        List<Move> moves = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            long low = earliest.getOrDefault(tp, 0L);
            long high = latest.getOrDefault(tp, low);
            long target = switch (strategy) {
                case EARLIEST -> low;
                case LATEST -> high;
                case OFFSET -> value;
                case TIMESTAMP -> {
                    long found = atTimestamp.getOrDefault(tp, -1L);
                    yield found < 0 ? high : found;
                }
            };
            moves.add(new Move(tp, committed.get(tp), Math.max(low, Math.min(high, target))));
        }
        moves.sort(Comparator.comparing((Move m) -> m.partition().topic()).thenComparingInt(m -> m.partition().partition()));
        return moves;
    }
}
