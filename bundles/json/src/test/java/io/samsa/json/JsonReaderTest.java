package io.samsa.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class JsonReaderTest {

    @Test
    public void parsesWhitespaceNumbersAndUnicodeEscapes() {
        Map<String, Object> m = Json.parseObject(" { \"a\" : [ 1 , 2.5 , -3 ] , \"b\" : \"\\u0041\" } ".getBytes(UTF_8));
        assertEquals(List.of(1L, 2.5, -3L), m.get("a"));
        assertEquals("A", m.get("b"));
    }

    @Test
    public void parsesObjectsArraysAndScalars() {
        Map<?, ?> map = (Map<?, ?>) Json.parse("{\"a\": [1, -2.5, true, false, null, \"x\\\"y\\u0041\"], \"b\": {}}");
        List<?> a = (List<?>) map.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2.5, a.get(1));
        assertEquals(Boolean.TRUE, a.get(2));
        assertEquals(Boolean.FALSE, a.get(3));
        assertNull(a.get(4));
        assertEquals("x\"yA", a.get(5));
        assertEquals(Map.of(), map.get("b"));
    }

    @Test
    public void readsKafkaWrittenZnodesWithNestedObjectsAndArrays() {
        String broker = "{\"features\":{},\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},"
                + "\"endpoints\":[\"PLAINTEXT://kafka-1:9092\"],\"jmx_port\":-1,\"port\":9092,"
                + "\"host\":\"kafka-1\",\"version\":5,\"timestamp\":\"1700000000000\",\"rack\":null}";
        Map<String, Object> b = Json.parseObject(broker);
        assertEquals(List.of("features", "listener_security_protocol_map", "endpoints", "jmx_port", "port", "host",
                "version", "timestamp", "rack"), List.copyOf(b.keySet()));
        assertEquals(9092L, b.get("port"));
        assertEquals(-1L, b.get("jmx_port"));
        assertEquals("1700000000000", b.get("timestamp"));
        assertEquals(List.of("PLAINTEXT://kafka-1:9092"), b.get("endpoints"));
        assertTrue(b.containsKey("rack"));
        assertNull(b.get("rack"));
        Map<String, Object> nested = Json.parseObject(" { \"a\" : 1 , \"b\" : [1, {\"n\": \"]\"}], \"c\":\"x\\u000ay\"}");
        assertEquals(List.of(1L, Map.of("n", "]")), nested.get("b"));
        assertEquals("x\ny", nested.get("c"));
        Map<String, Object> topic = Json.parseObject("{\"version\":3,\"partitions\":{\"0\":[0,1],\"1\":[1,0]}}");
        assertEquals(Map.of("0", List.of(0L, 1L), "1", List.of(1L, 0L)), topic.get("partitions"));
    }

    @Test
    public void integersAreLongsAndTheRestDoubles() {
        assertEquals(9223372036854775807L, Json.parse("9223372036854775807"));
        assertEquals(-9223372036854775808L, Json.parse("-9223372036854775808"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(1e10, Json.parse("1e10"));
        assertEquals(-0.25, Json.parse("-25E-2"));
        assertEquals(1.5, Json.parse("1.5e+0"));
    }

    @Test
    public void stringsKeepEveryEscapeAndUnicode() {
        assertEquals("\"\\/\b\f\n\r\t", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""));
        assertEquals("\u00e9\u4e2d\ud83d\ude00", Json.parse("\"\\u00E9\\u4e2d\\ud83d\\ude00\""));
        assertEquals("é中😀", Json.parse("\"é中😀\"".getBytes(UTF_8)));
        assertEquals("", Json.parse("\"\""));
    }

    @Test
    public void laterDuplicateMemberWinsAndOrderIsKept() {
        Map<String, Object> m = Json.parseObject("{\"z\":1,\"a\":2,\"z\":3}");
        assertEquals(new LinkedHashMap<>(Map.of("z", 3L, "a", 2L)), m);
        assertEquals(List.of("z", "a"), List.copyOf(m.keySet()));
    }

    @Test
    public void commentsOnlyWhenAskedFor() {
        String text = "{ // comment\n \"a\": [1, /* two */ 2], /* c */ \"b\": {} } // end";
        assertEquals(Map.of("a", List.of(1L, 2L), "b", Map.of()), Json.parseWithComments(text));
        JsonSyntaxException e = assertThrows(JsonSyntaxException.class, () -> Json.parse(text));
        assertEquals(2, e.position());
        assertThrows(JsonSyntaxException.class, () -> Json.parseWithComments("[1 /* open"));
    }

    @Test
    public void malformedInputIsRejectedNamingThePosition() {
        for (String bad : new String[] {"", "  ", "{", "{\"a\":}", "{\"a\":1,}", "[1,2", "[1,]", "{\"a\":1} x",
            "{\"a\":1}}", "{\"a\":tru}", "\"x", "{\"a\" 1}", "[1,", "\"open", "{a:1}", "{'a':1}", "01", "1.", ".5",
            "-", "1e", "+1", "[1 2]", "\"\\x\"", "\"\\u12g4\"", "\"\\u12\"", "\"a\tb\"", "\"\\", "NaN", "nul",
            "99999999999999999999", "1e999"}) {
            JsonSyntaxException e = assertThrows(bad, JsonSyntaxException.class, () -> Json.parse(bad));
            assertTrue(e.getMessage(), e.getMessage().startsWith("Invalid JSON at position " + e.position() + " (line 1,"));
            assertTrue(bad + " at " + e.position(), e.position() >= 0 && e.position() <= bad.length());
        }
    }

    @Test
    public void errorsPointAtTheOffendingCharacter() {
        JsonSyntaxException e = assertThrows(JsonSyntaxException.class, () -> Json.parse("{\"a\":1,\n  \"b\" 2}"));
        assertEquals(14, e.position());
        assertEquals("Invalid JSON at position 14 (line 2, column 7): expected ':' after member name \"b\", found '2'",
                e.getMessage());
        assertEquals(4, assertThrows(JsonSyntaxException.class, () -> Json.parse("[1, \"abc")).position());
        assertEquals(3, assertThrows(JsonSyntaxException.class, () -> Json.parse("[1,]")).position());
        assertEquals(3, assertThrows(JsonSyntaxException.class, () -> Json.parse("\"a\\q\"")).position());
        assertEquals(7, assertThrows(JsonSyntaxException.class, () -> Json.parse("{\"a\":1}x")).position());
        assertTrue(assertThrows(JsonSyntaxException.class, () -> Json.parse("[1,\u0001]")).getMessage()
                .endsWith("found U+0001"));
    }

    @Test
    public void parseObjectRejectsOtherValues() {
        JsonSyntaxException e = assertThrows(JsonSyntaxException.class, () -> Json.parseObject(" [1]".getBytes(UTF_8)));
        assertEquals(1, e.position());
        assertTrue(e.getMessage(), e.getMessage().endsWith("expected an object, found an array"));
        assertThrows(JsonSyntaxException.class, () -> Json.parseObject("null"));
        assertThrows(JsonSyntaxException.class, () -> Json.parseObject("\"{}\""));
    }

    @Test
    public void nestingIsBounded() {
        int ok = JsonReader.MAX_DEPTH;
        Object v = Json.parse("[".repeat(ok) + "]".repeat(ok));
        for (int i = 1; i < ok; i++) {
            v = ((List<?>) v).get(0);
        }
        assertEquals(List.of(), v);
        char[] deep = new char[100_000];
        Arrays.fill(deep, '[');
        JsonSyntaxException e = assertThrows(JsonSyntaxException.class, () -> Json.parse(new String(deep)));
        assertEquals(JsonReader.MAX_DEPTH, e.position());
    }
}
