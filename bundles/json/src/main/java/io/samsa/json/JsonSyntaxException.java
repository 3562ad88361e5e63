package io.samsa.json;

/**
 * Text that is not the JSON expected. An {@link IllegalArgumentException}, so that callers
 * treating any bad document alike need not know this type.
 */
public final class JsonSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int position;

    JsonSyntaxException(String text, int position, String problem) {
        super(message(text, position, problem));
        this.position = position;
    }

    /** The offset of the offending character in the text (in chars, from 0); the text's length at its end. */
    public int position() {
        return position;
    }

    // Line and column too, because people read these for hand-edited files such as feature descriptors.
    private static String message(String text, int position, String problem) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < position && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return "Invalid JSON at position " + position + " (line " + line + ", column " + (position - lineStart + 1)
                + "): " + problem;
    }
}
