package io.samsa.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.Test;

public class JsonWriterTest {

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
        m.put("s", "a\"b\\c\nd\u0001é\r\t/\u001f\ud83d\ude00");
        m.put("t", true);
        m.put("n", null);
        m.put("l", -42L);
        m.put("d", 2.5);
        m.put("a", List.of(List.of(), Map.of("k", false)));
        byte[] bytes = Json.bytes(m);
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\u0001é\\r\\t/\\u001f\ud83d\ude00\",\"t\":true,\"n\":null,\"l\":-42,"
                + "\"d\":2.5,\"a\":[[],{\"k\":false}]}", new String(bytes, UTF_8));
        assertEquals(m, Json.parseObject(bytes));
    }

    @Test
    public void writesAnyCollectionKeysAsStringsAndNumbersAsTheyPrint() {
        TreeMap<Integer, Object> m = new TreeMap<>(Map.of(2, Set.of(7), 1, new ArrayList<>(List.of((short) 3, 4.0f))));
        assertEquals("{\"1\":[3,4.0],\"2\":[7]}", Json.write(m));
        assertEquals("null", Json.write(null));
        assertEquals("\"x\"", Json.write("x"));
        assertArrayEquals("[]".getBytes(UTF_8), Json.bytes(List.of()));
    }

    @Test
    public void refusesWhatJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("x", new Object())));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
    }

    @Test
    public void longValueReadsNumbersAndNumericStrings() {
        Map<String, Object> m = Json.parseObject("{\"n\":7,\"s\":\" 8 \",\"nul\":null,\"big\":9007199254740993,\"b\":true,"
                + "\"x\":\"seven\"}");
        assertEquals(7, Json.longValue(m, "n", -1));
        assertEquals(8, Json.longValue(m, "s", -1));
        assertEquals(9007199254740993L, Json.longValue(m, "big", -1));
        assertEquals(-1, Json.longValue(m, "nul", -1));
        assertEquals(-1, Json.longValue(m, "absent", -1));
        assertThrows(IllegalArgumentException.class, () -> Json.longValue(m, "b", -1));
        assertThrows(IllegalArgumentException.class, () -> Json.longValue(m, "x", -1));
    }

    @Test
    public void intListReadsReplicaLists() {
        assertEquals(List.of(1, 2, -3), Json.intList(List.of(1L, 2L, -3L)));
        assertEquals(List.of(), Json.intList(null));
        assertEquals(List.of(), Json.intList(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Json.intList(List.of(1L, "2")));
        assertThrows(IllegalArgumentException.class, () -> Json.intList(Json.parse("[1,null]")));
    }
}
