package io.samsa.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent reader of RFC 8259 JSON into plain Java values. Strict about the grammar
 * (no trailing commas, single quotes, leading zeros, unknown escapes or raw control characters
 * in strings) so that a damaged document fails where it is damaged, not later in its reader.
 */
final class JsonReader {

    /** Bounds the recursion, so that a hostile document cannot overflow the stack. */
    static final int MAX_DEPTH = 512;

    private static final char END = '\uFFFF';

    private final String text;
    private final boolean comments;
    private int pos;
    private int depth;

    private JsonReader(String text, boolean comments) {
        this.text = text;
        this.comments = comments;
    }

    static Object read(String text, boolean comments) {
        JsonReader reader = new JsonReader(text, comments);
        Object value = reader.value();
        reader.skipSpace();
        if (reader.pos < text.length()) {
            throw reader.error("unexpected " + reader.found() + " after the value");
        }
        return value;
    }

    private Object value() {
        skipSpace();
        char c = peek();
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || isDigit(c)) {
                    return number();
                }
                throw error("expected a value, found " + found());
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> members = new LinkedHashMap<>();
        if (!openEmpty('}')) {
            do {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a member name in double quotes, found " + found());
                }
                String name = string();
                skipSpace();
                if (peek() != ':') {
                    throw error("expected ':' after member name \"" + name + "\", found " + found());
                }
                pos++;
                members.put(name, value());
            } while (another('}'));
        }
        depth--;
        return members;
    }

    private List<Object> array() {
        List<Object> items = new ArrayList<>();
        if (!openEmpty(']')) {
            do {
                items.add(value());
            } while (another(']'));
        }
        depth--;
        return items;
    }

    /** Steps into an object or array: true when it is empty, its closing bracket consumed too. */
    private boolean openEmpty(char close) {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        pos++;
        skipSpace();
        if (peek() == close) {
            pos++;
            return true;
        }
        return false;
    }

    /** After a member or item: true on ',' (another follows), false on the closing bracket. */
    private boolean another(char close) {
        skipSpace();
        char c = peek();
        if (c == ',' || c == close) {
            pos++;
            return c == ',';
        }
        throw error("expected ',' or '" + close + "', found " + found());
    }

    private String string() {
        int open = pos++;
        // Most strings have no escape: take them as one substring, without a builder.
        StringBuilder out = null;
        int run = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                String s = out == null ? text.substring(run, pos) : out.append(text, run, pos).toString();
                pos++;
                return s;
            }
            if (c == '\\') {
                if (out == null) {
                    out = new StringBuilder(pos - run + 16);
                }
                out.append(text, run, pos);
                pos++;
                out.append(escape());
                run = pos;
            } else if (c < 0x20) {
                throw error("control character " + found() + " in a string (write it as an escape)");
            } else {
                pos++;
            }
        }
        throw new JsonSyntaxException(text, open, "string not closed");
    }

    private char escape() {
        if (pos >= text.length()) {
            throw error("string not closed");
        }
        char e = text.charAt(pos++);
        switch (e) {
            case '"':
            case '\\':
            case '/':
                return e;
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                int code = 0;
                for (int i = 0; i < 4; i++) {
                    int digit = hexDigit(peek());
                    if (digit < 0) {
                        throw error("expected a hex digit in \\u escape, found " + found());
                    }
                    code = code << 4 | digit;
                    pos++;
                }
                return (char) code; // surrogate pairs come as two escapes and join up in the String
            default:
                pos--;
                throw error("unknown escape \\" + e);
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else {
            digits("a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            digits("a digit after '.'");
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits("a digit in the exponent");
        }
        String number = text.substring(start, pos);
        if (integral) {
            try {
                return Long.valueOf(number);
            } catch (NumberFormatException e) {
                throw new JsonSyntaxException(text, start, "integer " + number + " does not fit in 64 bits");
            }
        }
        Double d = Double.valueOf(number);
        if (d.isInfinite()) {
            throw new JsonSyntaxException(text, start, "number " + number + " is out of range");
        }
        return d;
    }

    private void digits(String expected) {
        if (!isDigit(peek())) {
            throw error("expected " + expected + ", found " + found());
        }
        while (isDigit(peek())) {
            pos++;
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("expected a value, found " + found());
        }
        pos += word.length();
        return value;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else if (comments && text.startsWith("//", pos)) {
                int end = text.indexOf('\n', pos);
                pos = end < 0 ? text.length() : end + 1;
            } else if (comments && text.startsWith("/*", pos)) {
                int end = text.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw error("comment not closed");
                }
                pos = end + 2;
            } else {
                return;
            }
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : END;
    }

    /** The character at the position, for messages. */
    private String found() {
        if (pos >= text.length()) {
            return "end of input";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private JsonSyntaxException error(String problem) {
        return new JsonSyntaxException(text, pos, problem);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
