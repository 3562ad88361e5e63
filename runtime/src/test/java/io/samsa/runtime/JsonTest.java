package io.samsa.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class JsonTest {
    @Test
    public void parsesObjectsArraysAndScalars() {
        Object value = Json.parse("{ // comment\n \"a\": [1, -2.5, true, false, null, \"x\\\"y\\u0041\"], /* c */ \"b\": {} }");
        Map<?, ?> map = (Map<?, ?>) value;
        List<?> a = (List<?>) map.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2.5, a.get(1));
        assertEquals(Boolean.TRUE, a.get(2));
        assertEquals(Boolean.FALSE, a.get(3));
        assertNull(a.get(4));
        assertEquals("x\"yA", a.get(5));
        assertTrue(((Map<?, ?>) map.get("b")).isEmpty());
    }

    @Test
    public void malformedInputNamesTheOffset() {
        for (String bad : new String[] {"{\"a\" 1}", "[1,", "{\"a\":1}}", "\"open", "{\"a\": tru}"}) {
            try {
                Json.parse(bad);
                fail("accepted " + bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("JSON: ") && e.getMessage().contains("offset"));
            }
        }
    }
}
