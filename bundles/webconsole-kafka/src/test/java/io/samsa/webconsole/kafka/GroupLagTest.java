package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.Test;

public class GroupLagTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);

    @Test
    public void totalLagSumsPartitionsAndIsUnknownWhenAnEndIs() {
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of(A0, new OffsetAndMetadata(5), A1, new OffsetAndMetadata(9));
        assertEquals(7, GroupsPlugin.totalLag(committed, Map.of(A0, 12L, A1, 9L)));
        assertEquals("a committed offset past the end (truncated log) counts 0", 2,
                GroupsPlugin.totalLag(committed, Map.of(A0, 7L, A1, 3L)));
        Map<TopicPartition, Long> missing = new HashMap<>(Map.of(A0, 12L));
        assertEquals(-1, GroupsPlugin.totalLag(committed, missing));
    }

    @Test
    public void lagInTimeIsTheAgeOfTheOldestUnconsumedRecord() {
        long now = 1_000_000_000L;
        assertEquals("42 s", GroupsPlugin.timeLag(now, now - 42_500));
        assertEquals("5 min", GroupsPlugin.timeLag(now, now - 5 * 60_000 - 1));
        assertEquals("3 h", GroupsPlugin.timeLag(now, now - 3 * 3_600_000));
        assertEquals("4 d", GroupsPlugin.timeLag(now, now - 4 * 86_400_000L));
        assertEquals("a record from the future (clock skew) is no lag", "0 s", GroupsPlugin.timeLag(now, now + 5000));
        assertEquals("?", GroupsPlugin.timeLag(now, null));
    }
}
