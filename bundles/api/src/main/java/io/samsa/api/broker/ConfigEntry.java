package io.samsa.api.broker;

/**
 * One configuration value as DescribeConfigs reports it.
 *
 * @param source one of Kafka's DescribeConfigs config sources: 1 dynamic topic config,
 *               4 static broker config, 5 default config
 */
public record ConfigEntry(String name, String value, boolean readOnly, boolean isDefault, boolean sensitive,
        byte source) {
    public static final byte SOURCE_TOPIC = 1;
    public static final byte SOURCE_STATIC_BROKER = 4;
    public static final byte SOURCE_DEFAULT = 5;
}
