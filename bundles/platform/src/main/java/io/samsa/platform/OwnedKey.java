package io.samsa.platform;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * A server.properties key as the metatype of the one PID that owns it declares it.
 *
 * @param type an {@link AttributeDefinition} type constant ({@code INTEGER}, {@code LONG}, ...)
 * @param cardinality the attribute's cardinality: 0 a single value, otherwise a list
 * @param defaultValue the declared default as text, null when there is none
 */
record OwnedKey(String key, String pid, int type, int cardinality, String defaultValue) {

    /** Reads a key from its metatype attribute; a multi-valued default is kept as Kafka writes lists, comma-separated. */
    static OwnedKey of(String pid, AttributeDefinition attribute) {
        String[] defaults = attribute.getDefaultValue();
        return new OwnedKey(attribute.getID(), pid, attribute.getType(), attribute.getCardinality(),
                defaults == null ? null : String.join(",", defaults));
    }
}
