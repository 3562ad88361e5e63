package io.samsa.api.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A metric's JMX name as Kafka builds it: {@code domain:type=T,name=N,tag1=v1,...} with the keys
 * in this order, which exporters such as the Prometheus JMX exporter keep (a name built from a
 * hash table would lose it). Built once, when what it measures appears.
 */
public final class MetricName {

    private final String domain;
    private final String type;
    private final String name;
    private final List<String> tags;
    private final String objectName;

    private MetricName(String domain, String type, String name, List<String> tags) {
        this.domain = domain;
        this.type = type;
        this.name = name;
        this.tags = tags;
        StringBuilder b = new StringBuilder(domain).append(":type=").append(type);
        if (name != null) {
            b.append(",name=").append(name);
        }
        for (int i = 0; i < tags.size(); i += 2) {
            b.append(',').append(tags.get(i)).append('=').append(quoteIfNeeded(tags.get(i + 1)));
        }
        this.objectName = b.toString();
    }

    /**
     * A Yammer-style name, {@code domain:type=T,name=N} followed by the tags.
     *
     * @param tags key, value, key, value... in Kafka's order
     */
    public static MetricName of(String domain, String type, String name, String... tags) {
        requireToken("domain", domain);
        requireToken("type", type);
        requireToken("name", name);
        return new MetricName(domain, type, name, checkedTags(tags));
    }

    /** A name without a {@code name} key, as Kafka's own metrics library builds them ({@code type=app-info,id=1}). */
    public static MetricName ofType(String domain, String type, String... tags) {
        requireToken("domain", domain);
        requireToken("type", type);
        return new MetricName(domain, type, null, checkedTags(tags));
    }

    private static List<String> checkedTags(String[] tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("Metric tags come in key, value pairs; got " + tags.length + " strings");
        }
        List<String> list = new ArrayList<>(tags.length);
        for (int i = 0; i < tags.length; i += 2) {
            requireToken("tag key", tags[i]);
            if (tags[i + 1] == null || tags[i + 1].isEmpty()) {
                throw new IllegalArgumentException("Metric tag " + tags[i] + " has no value");
            }
            list.add(tags[i]);
            list.add(tags[i + 1]);
        }
        return Collections.unmodifiableList(list);
    }

    private static void requireToken(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("Metric " + what + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') {
                throw new IllegalArgumentException("Metric " + what + " '" + value + "' contains '" + c + "'");
            }
        }
    }

    /** Kafka's topic names never need quoting; anything else that would break the name is quoted as JMX does. */
    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') {
                StringBuilder q = new StringBuilder("\"");
                for (int j = 0; j < value.length(); j++) {
                    char d = value.charAt(j);
                    switch (d) {
                        case '"', '*', '?', '\\' -> q.append('\\').append(d);
                        case '\n' -> q.append("\\n");
                        default -> q.append(d);
                    }
                }
                return q.append('"').toString();
            }
        }
        return value;
    }

    public String domain() {
        return domain;
    }

    public String type() {
        return type;
    }

    /** The {@code name} key's value, or null for a name built with {@link #ofType}. */
    public String name() {
        return name;
    }

    /** Key, value, key, value... in order. */
    public List<String> tags() {
        return tags;
    }

    /** The JMX ObjectName string, keys in Kafka's order. */
    public String objectName() {
        return objectName;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricName m && m.objectName.equals(objectName);
    }

    @Override
    public int hashCode() {
        return objectName.hashCode();
    }

    @Override
    public String toString() {
        return objectName;
    }
}
