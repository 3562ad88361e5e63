package io.samsa.webconsole.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** How the Messages page shows a key, value or header: as text, as indented JSON, or as hex bytes. */
enum RecordFormat {
    TEXT, JSON, HEX;

    static RecordFormat parse(String name) {
        if (name == null || name.isBlank()) {
            return TEXT;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be text, json or hex, not '" + name + "'");
        }
    }

    /** The bytes shown in this format; {@code null} stays null (a record without key or value). */
    String render(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        return switch (this) {
            case TEXT -> text(bytes);
            case HEX -> hex(bytes);
            case JSON -> {
                String text = text(bytes);
                String pretty = JsonIndenter.indent(text);
                yield pretty != null ? pretty : text;
            }
        };
    }

    /** UTF-8; bytes that are not UTF-8 are shown as hex rather than as replacement characters. */
    static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "(not UTF-8) " + hex(bytes);
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder(bytes.length * 3);
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                hex.append(i % 16 == 0 ? '\n' : ' ');
            }
            hex.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return hex.toString();
    }
}
