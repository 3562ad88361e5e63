package io.samsa.broker;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The JSON of the one znode document the broker keeps itself, the producer id block
 * ({@link ProducerIdAllocator}); topics, states and configs are the cluster-metadata bundle's.
 * Written compact and in member order, byte for byte as Kafka writes it (jakarta.json; Parsson in
 * the runtime).
 */
final class ZNodeDocuments {
    /**
     * Looked up once: every {@code jakarta.json.Json} call would search the service loader
     * again. In OSGi the lookup goes through SPI Fly, in plain tests through the class path.
     */
    static final JsonProvider JSON = JsonProvider.provider();

    private ZNodeDocuments() {
    }

    /** A JSON object; anything else is an IllegalArgumentException naming what was found. */
    static JsonObject parseObject(byte[] utf8) {
        // decoded first, so that a syntax error's offset counts characters of the text it quotes
        String text = new String(utf8, StandardCharsets.UTF_8);
        try (jakarta.json.JsonReader reader = JSON.createReader(new StringReader(text))) {
            return reader.readObject();
        } catch (JsonException e) {
            throw new IllegalArgumentException(e.getMessage() + " in " + text, e);
        }
    }

    static byte[] bytes(JsonStructure document) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (jakarta.json.JsonWriter writer = JSON.createWriter(out)) {
            writer.write(document);
        }
        return out.toByteArray();
    }

    /**
     * A member read as a long: a number, or a string holding one (Kafka writes some counters as
     * strings); {@code fallback} when absent or null.
     */
    static long longValue(JsonObject object, String name, long fallback) {
        JsonValue value = object.get(name);
        if (value instanceof JsonNumber n) {
            return n.longValue();
        }
        if (value instanceof JsonString s) {
            try {
                return Long.parseLong(s.getString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + name + "\" is not a number: " + s, e);
            }
        }
        if (value == null || value == JsonValue.NULL) {
            return fallback;
        }
        throw new IllegalArgumentException("\"" + name + "\" is " + value.getValueType() + ", not a number");
    }
}
