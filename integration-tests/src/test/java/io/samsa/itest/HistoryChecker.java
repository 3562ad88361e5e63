package io.samsa.itest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.common.TopicPartition;

/**
 * Jepsen's queue checks for a Kafka-wire log, over an {@link AckLedger} and the records read back
 * (a final drain, possibly one per replica):
 * <ul>
 * <li><b>lost</b>: acknowledged, never read;</li>
 * <li><b>moved</b>: acknowledged at one offset, read only at another (or in another partition);</li>
 * <li><b>duplicated</b>: one value read at two or more offsets;</li>
 * <li><b>reordered</b>: two sends of one producer to one partition whose offsets (read, or
 * acknowledged) run against the order they were sent in;</li>
 * <li><b>inconsistent</b>: two values read at one offset of a partition (views disagree);</li>
 * <li><b>phantom</b>: a value read that no one sent.</li>
 * </ul>
 * Failed and unanswered sends are indeterminate: they may be read, once, in order.
 */
final class HistoryChecker {

    enum Kind {
        LOST, MOVED, DUPLICATED, REORDERED, INCONSISTENT, PHANTOM,
        /** A snapshot's ISR names a broker that is not a replica. */
        ISR_OUTSIDE_REPLICAS,
        /** A snapshot's leader is not in its ISR. */
        LEADER_OUTSIDE_ISR,
        /** One broker reported a lower leader epoch for a partition than it had reported before. */
        EPOCH_REGRESSED
    }

    /**
     * A partition's state as broker {@code reporter} answered it in one Metadata response;
     * {@code leader} and {@code leaderEpoch} are -1 when there is none or it is unknown.
     */
    record PartitionSnapshot(TopicPartition partition, int reporter, int leader, int leaderEpoch,
            List<Integer> replicas, List<Integer> isr) {
    }

    /** One record as a reader saw it; {@code source} names the reader (a drain, a replica). */
    record Read(TopicPartition partition, long offset, String value, String source) {
    }

    record Anomaly(Kind kind, TopicPartition partition, String value, String detail) {
        @Override
        public String toString() {
            return kind + " " + partition + " " + value + ": " + detail;
        }
    }

    /** What the check found; {@link #clean()} when nothing. */
    record Report(List<Anomaly> anomalies, long acked, long failed, long pending, long distinctValuesRead) {

        boolean clean() {
            return anomalies.isEmpty();
        }

        List<Anomaly> of(Kind kind) {
            return anomalies.stream().filter(a -> a.kind() == kind).toList();
        }

        @Override
        public String toString() {
            Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
            anomalies.forEach(a -> counts.merge(a.kind(), 1, Integer::sum));
            StringBuilder sb = new StringBuilder("history: ").append(acked).append(" acked, ").append(failed)
                    .append(" failed, ").append(pending).append(" unanswered, ").append(distinctValuesRead)
                    .append(" values read; ").append(clean() ? "no anomalies" : "anomalies " + counts);
            anomalies.stream().limit(20).forEach(a -> sb.append("\n  ").append(a));
            if (anomalies.size() > 20) {
                sb.append("\n  ... ").append(anomalies.size() - 20).append(" more");
            }
            return sb.toString();
        }
    }

    private record Position(TopicPartition partition, long offset) {
        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }

    private static final Comparator<Position> POSITION_ORDER = Comparator
            .comparing((Position p) -> p.partition().topic())
            .thenComparingInt(p -> p.partition().partition())
            .thenComparingLong(Position::offset);

    private HistoryChecker() {
    }

    static Report check(Collection<AckLedger.Send> sends, Collection<Read> reads) {
        return check(sends, reads, List.of());
    }

    /** The checks on sends and reads, and the invariants of {@code snapshots} (in the order they were taken). */
    static Report check(Collection<AckLedger.Send> sends, Collection<Read> reads, List<PartitionSnapshot> snapshots) {
        List<Anomaly> anomalies = new ArrayList<>(checkSnapshots(snapshots));
        Map<String, AckLedger.Send> sent = new HashMap<>();
        for (AckLedger.Send s : sends) {
            sent.put(s.value, s);
        }

        Map<Position, Set<String>> valuesAt = new TreeMap<>(POSITION_ORDER);
        Map<String, Set<Position>> positionsOf = new TreeMap<>();
        for (Read r : reads) {
            Position at = new Position(r.partition(), r.offset());
            valuesAt.computeIfAbsent(at, p -> new TreeSet<>()).add(r.value());
            positionsOf.computeIfAbsent(r.value(), v -> new TreeSet<>(POSITION_ORDER)).add(at);
        }

        valuesAt.forEach((at, values) -> {
            if (values.size() > 1) {
                anomalies.add(new Anomaly(Kind.INCONSISTENT, at.partition(), String.join(",", values),
                        values.size() + " values at offset " + at.offset()));
            }
        });
        positionsOf.forEach((value, at) -> {
            if (!sent.containsKey(value)) {
                anomalies.add(new Anomaly(Kind.PHANTOM, at.iterator().next().partition(), value,
                        "read at " + at + " but never sent"));
            }
            if (at.size() > 1) {
                anomalies.add(new Anomaly(Kind.DUPLICATED, at.iterator().next().partition(), value,
                        "read at " + at));
            }
        });

        for (AckLedger.Send s : sends) {
            if (s.outcome() != AckLedger.Outcome.ACKED) {
                continue;
            }
            Set<Position> at = positionsOf.get(s.value);
            Position acked = new Position(s.partition, s.offset());
            if (at == null) {
                anomalies.add(new Anomaly(Kind.LOST, s.partition, s.value, "acknowledged at " + acked
                        + ", never read"));
            } else if (!at.contains(acked)) {
                anomalies.add(new Anomaly(Kind.MOVED, s.partition, s.value, "acknowledged at " + acked
                        + ", read at " + at));
            }
        }

        checkOrder(sends, positionsOf, anomalies);

        long acked = sends.stream().filter(s -> s.outcome() == AckLedger.Outcome.ACKED).count();
        long failed = sends.stream().filter(s -> s.outcome() == AckLedger.Outcome.FAILED).count();
        return new Report(List.copyOf(anomalies), acked, failed, sends.size() - acked - failed, positionsOf.size());
    }

    /**
     * Per producer and partition, in send order: the offsets read must increase, and so must the
     * offsets acknowledged. Each out-of-order send is reported once, against its predecessor.
     */
    private static void checkOrder(Collection<AckLedger.Send> sends, Map<String, Set<Position>> positionsOf,
            List<Anomaly> anomalies) {
        Map<String, List<AckLedger.Send>> byStream = new TreeMap<>();
        for (AckLedger.Send s : sends) {
            byStream.computeIfAbsent(s.producer + " " + s.partition, k -> new ArrayList<>()).add(s);
        }
        for (List<AckLedger.Send> stream : byStream.values()) {
            stream.sort(Comparator.comparingLong(s -> s.sequence));
            AckLedger.Send lastRead = null;
            long lastReadOffset = -1;
            AckLedger.Send lastAcked = null;
            for (AckLedger.Send s : stream) {
                long readOffset = firstOffsetIn(s.partition, positionsOf.get(s.value));
                boolean reported = false;
                if (readOffset >= 0) {
                    if (lastRead != null && readOffset <= lastReadOffset) {
                        anomalies.add(new Anomaly(Kind.REORDERED, s.partition, s.value, "read at offset " + readOffset
                                + ", not after " + lastRead.value + " (sent before it) at " + lastReadOffset));
                        reported = true;
                    }
                    lastRead = s;
                    lastReadOffset = readOffset;
                }
                if (s.outcome() == AckLedger.Outcome.ACKED) {
                    if (!reported && lastAcked != null && s.offset() <= lastAcked.offset()) {
                        anomalies.add(new Anomaly(Kind.REORDERED, s.partition, s.value, "acknowledged at offset "
                                + s.offset() + ", not after " + lastAcked.value + " (sent before it) at "
                                + lastAcked.offset()));
                    }
                    lastAcked = s;
                }
            }
        }
    }

    /**
     * ISR within replicas, leader within ISR, and each broker's reported leader epoch of a
     * partition never going down. Brokers may disagree (one may lag behind a leader change), so
     * epochs are compared per reporting broker only.
     */
    static List<Anomaly> checkSnapshots(List<PartitionSnapshot> inOrderTaken) {
        List<Anomaly> anomalies = new ArrayList<>();
        Map<String, PartitionSnapshot> lastByReporter = new HashMap<>();
        for (PartitionSnapshot s : inOrderTaken) {
            String by = "as broker " + s.reporter() + " reported";
            if (!s.replicas().containsAll(s.isr())) {
                anomalies.add(new Anomaly(Kind.ISR_OUTSIDE_REPLICAS, s.partition(), "",
                        "ISR " + s.isr() + " not within replicas " + s.replicas() + " " + by));
            }
            if (s.leader() >= 0 && !s.isr().contains(s.leader())) {
                anomalies.add(new Anomaly(Kind.LEADER_OUTSIDE_ISR, s.partition(), "",
                        "leader " + s.leader() + " not in ISR " + s.isr() + " " + by));
            }
            if (s.leaderEpoch() >= 0) {
                PartitionSnapshot before = lastByReporter.put(s.partition() + " " + s.reporter(), s);
                if (before != null && s.leaderEpoch() < before.leaderEpoch()) {
                    anomalies.add(new Anomaly(Kind.EPOCH_REGRESSED, s.partition(), "", "leader epoch "
                            + s.leaderEpoch() + " after " + before.leaderEpoch() + " " + by));
                }
            }
        }
        return anomalies;
    }

    private static long firstOffsetIn(TopicPartition partition, Set<Position> at) {
        if (at == null) {
            return -1;
        }
        for (Position p : at) {
            if (p.partition().equals(partition)) {
                return p.offset();
            }
        }
        return -1;
    }
}
