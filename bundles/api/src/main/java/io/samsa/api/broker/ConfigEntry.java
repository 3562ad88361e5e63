package io.samsa.api.broker;

import java.util.List;

/**
 * One configuration value as DescribeConfigs reports it.
 *
 * @param source one of Kafka's DescribeConfigs config sources: 1 dynamic topic config,
 *               2 dynamic per-broker config, 3 dynamic cluster-wide default broker config,
 *               4 static broker config, 5 default config
 * @param synonyms where the value comes from, highest precedence first, as Kafka lists them when
 *               DescribeConfigs asks for synonyms (since 1.2)
 */
public record ConfigEntry(String name, String value, boolean readOnly, boolean isDefault, boolean sensitive,
        byte source, List<Synonym> synonyms) {
    public static final byte SOURCE_TOPIC = 1;
    /** @since 1.2 */
    public static final byte SOURCE_DYNAMIC_BROKER = 2;
    /** @since 1.2 */
    public static final byte SOURCE_DYNAMIC_DEFAULT_BROKER = 3;
    public static final byte SOURCE_STATIC_BROKER = 4;
    public static final byte SOURCE_DEFAULT = 5;

    /** A value of the key (or of a broker-level key it derives from) at one level of precedence. @since 1.2 */
    public record Synonym(String name, String value, byte source) {
    }

    public ConfigEntry {
        synonyms = synonyms == null ? List.of() : List.copyOf(synonyms);
    }

    /** An entry whose only synonym is itself. */
    public ConfigEntry(String name, String value, boolean readOnly, boolean isDefault, boolean sensitive, byte source) {
        this(name, value, readOnly, isDefault, sensitive, source, List.of(new Synonym(name, value, source)));
    }
}
