package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class JsonTest {

    @Test
    public void writesKafkaTopicLayout() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 3);
        m.put("partitions", Map.of("0", List.of(0, 1)));
        m.put("adding_replicas", Map.of());
        assertEquals("{\"version\":3,\"partitions\":{\"0\":[0,1]},\"adding_replicas\":{}}", Json.write(m));
    }

    @Test
    public void roundTripsStringsWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd\u0001é");
        m.put("t", true);
        m.put("n", null);
        m.put("l", -42L);
        Map<String, Object> back = Json.parseObject(Json.bytes(m));
        assertEquals(m, back);
    }

    @Test
    public void parsesWhitespaceNumbersAndUnicodeEscapes() {
        Map<String, Object> m = Json.parseObject(" { \"a\" : [ 1 , 2.5 , -3 ] , \"b\" : \"\\u0041\" } "
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(1L, 2.5, -3L), m.get("a"));
        assertEquals("A", m.get("b"));
        assertEquals(List.of(1, 2, -3), Json.intList(List.of(1L, 2L, -3L)));
    }

    @Test
    public void rejectsMalformedInput() {
        for (String bad : new String[] {"{", "{\"a\":}", "{\"a\":1,}", "[1,2", "{\"a\":1} x", "{\"a\":tru}", "\"x"}) {
            IllegalArgumentException e = assertThrows(bad, IllegalArgumentException.class,
                    () -> Json.parse(bad));
            assertTrue(e.getMessage(), e.getMessage().startsWith("Invalid JSON at position"));
        }
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]".getBytes(StandardCharsets.UTF_8)));
    }
}
