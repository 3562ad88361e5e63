package io.samsa.group;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.Test;

public class CoordinatorRecordsTest {

    @Test
    public void offsetRecordsRoundTrip() {
        byte[] key = CoordinatorRecords.offsetKey("g", new TopicPartition("t", 7));
        assertEquals(1, ByteBuffer.wrap(key).getShort());
        CoordinatorRecords.Key k = CoordinatorRecords.parseKey(ByteBuffer.wrap(key));
        assertEquals("g", k.group());
        assertEquals(new TopicPartition("t", 7), k.partition());

        CommittedOffset v3 = CoordinatorRecords.parseOffsetValue(ByteBuffer.wrap(
                CoordinatorRecords.offsetValue(new CommittedOffset(42, 3, "meta", 1000, -1, -1))), 9);
        assertEquals(new CommittedOffset(42, 3, "meta", 1000, -1, 9), v3);

        byte[] withExpiry = CoordinatorRecords.offsetValue(new CommittedOffset(5, 3, "", 1000, 2000, -1));
        assertEquals(1, ByteBuffer.wrap(withExpiry).getShort());
        assertEquals(new CommittedOffset(5, -1, "", 1000, 2000, 0),
                CoordinatorRecords.parseOffsetValue(ByteBuffer.wrap(withExpiry), 0));
    }

    @Test
    public void readsTheFlexibleVersion4Value() {
        byte[] meta = "m".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + 1 + meta.length + 8 + 1);
        b.putShort((short) 4).putLong(77).putInt(2).put((byte) (meta.length + 1)).put(meta).putLong(123).put((byte) 0);
        b.flip();
        assertEquals(new CommittedOffset(77, 2, "m", 123, -1, 1), CoordinatorRecords.parseOffsetValue(b, 1));
    }

    @Test
    public void groupRecordsRoundTrip() {
        byte[] key = CoordinatorRecords.groupKey("grp");
        assertEquals(2, ByteBuffer.wrap(key).getShort());
        assertNull(CoordinatorRecords.parseKey(ByteBuffer.wrap(key)).partition());

        StoredGroup g = new StoredGroup("consumer", 4, "range", "m1", 55L, List.of(
                new StoredGroup.Member("m1", "i1", "c1", "/10.0.0.1", 30000, 10000, new byte[] {1, 2}, new byte[] {3}),
                new StoredGroup.Member("m2", null, "c2", "/10.0.0.2", 30000, 10000, new byte[0], new byte[0])));
        byte[] value = CoordinatorRecords.groupValue(g);
        assertEquals(3, ByteBuffer.wrap(value).getShort());
        StoredGroup back = CoordinatorRecords.parseGroupValue(ByteBuffer.wrap(value));
        assertEquals("consumer", back.protocolType());
        assertEquals(4, back.generation());
        assertEquals("range", back.protocol());
        assertEquals("m1", back.leader());
        assertEquals(55L, back.currentStateTimestamp());
        assertEquals(2, back.members().size());
        assertEquals("i1", back.members().get(0).groupInstanceId());
        assertNull(back.members().get(1).groupInstanceId());
        assertArrayEquals(new byte[] {1, 2}, back.members().get(0).subscription());
        assertArrayEquals(new byte[] {3}, back.members().get(0).assignment());

        StoredGroup empty = CoordinatorRecords.parseGroupValue(ByteBuffer.wrap(CoordinatorRecords.groupValue(
                new StoredGroup("", 2, null, null, -1L, List.of()))));
        assertNull(empty.protocol());
        assertNull(empty.leader());
        assertEquals(0, empty.members().size());
    }

    @Test(expected = IllegalArgumentException.class)
    public void rejectsUnknownValueVersions() {
        CoordinatorRecords.parseOffsetValue(ByteBuffer.wrap(new byte[] {0, 9, 0, 0}), 0);
    }

    @Test
    public void ignoresKeysOfOtherGroupProtocols() {
        assertNull(CoordinatorRecords.parseKey(ByteBuffer.wrap(new byte[] {0, 3, 0, 1, 'g'})));
    }
}
