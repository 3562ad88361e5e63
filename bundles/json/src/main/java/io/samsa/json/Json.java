package io.samsa.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON text to and from a tree of plain values: objects are insertion-ordered
 * {@code Map<String, Object>}, arrays {@code List<Object>}, integers {@link Long}, other
 * numbers {@link Double}, and {@link String}, {@link Boolean} and {@code null}. Writing takes
 * any {@link Map}, {@link java.util.Collection}, {@link Number}, String, Boolean or null.
 * Syntax errors throw {@link JsonSyntaxException}, naming the position of the bad input.
 */
public final class Json {

    private Json() {
    }

    /** One JSON value, strictly by RFC 8259. */
    public static Object parse(String text) {
        return JsonReader.read(text, false);
    }

    public static Object parse(byte[] utf8) {
        return parse(new String(utf8, StandardCharsets.UTF_8));
    }

    /**
     * As {@link #parse(String)}, also skipping {@code //} and {@code /* *}{@code /} comments, which
     * OSGi feature descriptors may hold.
     */
    public static Object parseWithComments(String text) {
        return JsonReader.read(text, true);
    }

    /** A JSON object; anything else, an array say, is a {@link JsonSyntaxException}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            int start = 0;
            while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
                start++;
            }
            throw new JsonSyntaxException(text, start, "expected an object, found " + kind(value));
        }
        return (Map<String, Object>) value;
    }

    public static Map<String, Object> parseObject(byte[] utf8) {
        return parseObject(new String(utf8, StandardCharsets.UTF_8));
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder(64);
        JsonWriter.write(out, value);
        return out.toString();
    }

    /** {@link #write(Object)} in UTF-8. */
    public static byte[] bytes(Object value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A member read as a long: a number, or a string holding one (Kafka writes some counters as
     * strings); {@code fallback} when absent or null.
     */
    public static long longValue(Map<String, ?> object, String name, long fallback) {
        Object value = object.get(name);
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + name + "\" is not a number: \"" + s + "\"", e);
            }
        }
        if (value == null) {
            return fallback;
        }
        throw new IllegalArgumentException("\"" + name + "\" is " + kind(value) + ", not a number");
    }

    /** An array of integers, such as a replica list; empty when {@code value} is not an array. */
    public static List<Integer> intList(Object value) {
        if (!(value instanceof List<?> items)) {
            return List.of();
        }
        List<Integer> ints = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof Number n)) {
                throw new IllegalArgumentException("expected an array of integers, found " + kind(item) + " in it");
            }
            ints.add(n.intValue());
        }
        return List.copyOf(ints);
    }

    private static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof String) {
            return "a string";
        }
        return value instanceof Boolean ? "a boolean" : "a number";
    }
}
