package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.junit.Test;

import io.samsa.webconsole.kafka.OffsetReset.Move;
import io.samsa.webconsole.kafka.OffsetReset.Strategy;

public class OffsetResetTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);
    private static final TopicPartition B0 = new TopicPartition("b", 0);
    private static final List<TopicPartition> ALL = List.of(B0, A1, A0);
    private static final Map<TopicPartition, Long> COMMITTED = Map.of(A0, 7L, B0, 3L);
    private static final Map<TopicPartition, Long> EARLIEST = Map.of(A0, 5L, A1, 0L, B0, 2L);
    private static final Map<TopicPartition, Long> LATEST = Map.of(A0, 10L, A1, 4L, B0, 9L);

    private static List<Move> plan(Strategy strategy, long value, Map<TopicPartition, Long> atTime) {
        return OffsetReset.plan(strategy, value, ALL, COMMITTED, EARLIEST, LATEST, atTime);
    }

    @Test
    public void earliestAndLatestMoveToTheEnds() {
        assertEquals(List.of(new Move(A0, 7L, 5), new Move(A1, null, 0), new Move(B0, 3L, 2)), plan(Strategy.EARLIEST, -1, Map.of()));
        assertEquals(List.of(new Move(A0, 7L, 10), new Move(A1, null, 4), new Move(B0, 3L, 9)), plan(Strategy.LATEST, -1, Map.of()));
    }

    @Test
    public void anOffsetOutsideAPartitionsRecordsMovesToItsNearestEnd() {
        assertEquals(List.of(new Move(A0, 7L, 6), new Move(A1, null, 4), new Move(B0, 3L, 6)), plan(Strategy.OFFSET, 6, Map.of()));
        assertEquals(List.of(new Move(A0, 7L, 5), new Move(A1, null, 0), new Move(B0, 3L, 2)), plan(Strategy.OFFSET, 0, Map.of()));
    }

    @Test
    public void aTimestampAfterEveryRecordMovesToTheEnd() {
        assertEquals(List.of(new Move(A0, 7L, 8), new Move(A1, null, 4), new Move(B0, 3L, 9)),
                plan(Strategy.TIMESTAMP, 1000, Map.of(A0, 8L, A1, -1L)));
    }

    @Test
    public void valuesAreCheckedAndNamed() {
        assertEquals(-1, OffsetReset.value(Strategy.EARLIEST, "ignored"));
        assertEquals(42, OffsetReset.value(Strategy.OFFSET, " 42 "));
        assertEquals("offset must be a whole number, not 'abc'",
                assertThrows(IllegalArgumentException.class, () -> OffsetReset.value(Strategy.OFFSET, "abc")).getMessage());
        assertEquals("give the timestamp to reset to",
                assertThrows(IllegalArgumentException.class, () -> OffsetReset.value(Strategy.TIMESTAMP, "")).getMessage());
        assertEquals("reset to earliest, latest, timestamp or offset, not 'start'",
                assertThrows(IllegalArgumentException.class, () -> Strategy.parse("start")).getMessage());
    }
}
