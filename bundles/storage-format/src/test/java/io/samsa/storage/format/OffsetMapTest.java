package io.samsa.storage.format;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class OffsetMapTest {

    private static ByteBuffer key(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void keepsTheLatestOffsetPerKey() {
        OffsetMap map = new OffsetMap(100);
        for (int i = 0; i < 50; i++) {
            assertTrue(map.put(key("k" + i % 10), i));
        }
        assertEquals(10, map.size());
        for (int k = 0; k < 10; k++) {
            assertEquals(40 + k, map.get(key("k" + k)));
        }
        assertEquals(-1, map.get(key("absent")));
        assertEquals("a key's bytes, not the buffer, identify it", 49,
                map.get(ByteBuffer.allocate(10).put(key("k9")).flip()));
    }

    @Test
    public void aFullMapRefusesNewKeysButUpdatesKnownOnes() {
        OffsetMap map = new OffsetMap(16);
        int accepted = 0;
        while (map.put(key("key-" + accepted), accepted)) {
            accepted++;
        }
        assertEquals((int) (16 * OffsetMap.LOAD_FACTOR), accepted);
        assertEquals(-1, map.get(key("key-" + accepted)));
        assertTrue(map.put(key("key-0"), 1000));
        assertEquals(1000, map.get(key("key-0")));
        assertFalse(map.put(key("another"), 1001));
    }
}
