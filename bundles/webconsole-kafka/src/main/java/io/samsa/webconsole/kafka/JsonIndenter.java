package io.samsa.webconsole.kafka;

/**
 * Pretty-prints JSON text with two-space indentation, checking that it is JSON as it goes: a
 * small recursive-descent reader, since the runtime carries no JSON library a bundle may use.
 */
final class JsonIndenter {
    private static final int MAX_DEPTH = 200;
    private final String in;
    private final StringBuilder out;
    private int at;

    private JsonIndenter(String in) {
        this.in = in;
        this.out = new StringBuilder(in.length() + in.length() / 2);
    }

    /** The indented JSON, or null when {@code text} is not one JSON value. */
    static String indent(String text) {
        JsonIndenter indenter = new JsonIndenter(text);
        try {
            indenter.skipSpace();
            indenter.value(0);
            indenter.skipSpace();
            return indenter.at == text.length() ? indenter.out.toString() : null;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private void value(int depth) {
        if (depth > MAX_DEPTH || at >= in.length()) {
            throw new IllegalStateException();
        }
        char c = in.charAt(at);
        switch (c) {
            case '{' -> container(depth, '}', true);
            case '[' -> container(depth, ']', false);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void container(int depth, char close, boolean object) {
        out.append(in.charAt(at++));
        skipSpace();
        if (peek() == close) {
            out.append(in.charAt(at++));
            return;
        }
        while (true) {
            newline(depth + 1);
            if (object) {
                if (peek() != '"') {
                    throw new IllegalStateException();
                }
                string();
                skipSpace();
                expect(':');
                out.append(": ");
                skipSpace();
            }
            value(depth + 1);
            skipSpace();
            char next = peek();
            if (next == ',') {
                at++;
                out.append(',');
                skipSpace();
            } else if (next == close) {
                at++;
                newline(depth);
                out.append(close);
                return;
            } else {
                throw new IllegalStateException();
            }
        }
    }

    private void string() {
        int start = at++;
        while (at < in.length()) {
            char c = in.charAt(at++);
            if (c == '\\') {
                if (at >= in.length()) {
                    break;
                }
                at++;
            } else if (c == '"') {
                out.append(in, start, at);
                return;
            } else if (c < 0x20) {
                break;
            }
        }
        throw new IllegalStateException();
    }

    private void literal(String word) {
        if (!in.startsWith(word, at)) {
            throw new IllegalStateException();
        }
        at += word.length();
        out.append(word);
    }

    private void number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        int digits = at;
        while (at < in.length() && "0123456789+-.eE".indexOf(in.charAt(at)) >= 0) {
            at++;
        }
        if (at == digits || !Character.isDigit(in.charAt(digits))) {
            throw new IllegalStateException();
        }
        String number = in.substring(start, at);
        try {
            Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalStateException();
        }
        out.append(number);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalStateException();
        }
        at++;
    }

    private char peek() {
        return at < in.length() ? in.charAt(at) : '\0';
    }

    private void skipSpace() {
        while (at < in.length() && Character.isWhitespace(in.charAt(at))) {
            at++;
        }
    }

    private void newline(int depth) {
        out.append('\n');
        out.append("  ".repeat(depth));
    }
}
