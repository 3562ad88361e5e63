package io.samsa.platform;

import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * Maps the keys of a Kafka-style server.properties onto the Config Admin PIDs whose metatype
 * declares them ({@link ConfigKeyCatalogue}), converting each value to the declared type.
 *
 * <p>Paths follow a naming convention rather than a list: a key ending in {@code .dir} or
 * {@code .dirs} (Kafka's {@code log.dirs}, Samsa's {@code zookeeper.embedded.dir}) holds
 * directories. A relative one in server.properties is resolved against the working directory, as
 * Kafka does; a default under {@code data/} (the default {@code samsa.data.dir}) moves with the
 * data directory, so brokers sharing a machine with different data directories share no files.
 */
final class ServerPropertiesMapping {
    /** Keys the launcher reads before the framework starts; known here so they draw no warning. */
    static final Set<String> LAUNCHER_KEYS = Set.of("samsa.data.dir", "http.port", "samsa.features",
            "webconsole.username", "webconsole.password");

    /** The data directory path defaults are written against in the metatype. */
    private static final String DEFAULT_DATA_DIR = "data/";

    /**
     * What a server.properties turns into.
     *
     * @param unknownKeys keys neither Samsa nor Apache Kafka knows (typos, most likely)
     * @param unsupportedKeys Apache Kafka broker keys no Samsa component owns: accepted, not applied
     */
    record Result(Map<String, Map<String, Object>> byPid, List<String> unknownKeys, List<String> unsupportedKeys,
            List<String> errors) {
        Map<String, Object> pid(String pid) {
            return byPid.getOrDefault(pid, Map.of());
        }
    }

    private ServerPropertiesMapping() {
    }

    static boolean isPathKey(String key) {
        return key.endsWith(".dir") || key.endsWith(".dirs");
    }

    static Result map(Properties properties, ConfigKeyCatalogue catalogue, Path workDir, Path dataDir) {
        Map<String, Map<String, Object>> byPid = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Map<String, String> values = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            values.put(key, properties.getProperty(key).trim());
        }
        // Kafka's single-directory alias; log.dirs wins when both are set
        String logDir = values.remove("log.dir");
        if (logDir != null && !catalogue.owners("log.dirs").isEmpty()) {
            values.putIfAbsent("log.dirs", logDir);
        }

        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            List<OwnedKey> owners = catalogue.owners(key);
            if (owners.isEmpty()) {
                if (KafkaBrokerKeys.contains(key)) {
                    unsupported.add(key);
                } else if (!LAUNCHER_KEYS.contains(key)) {
                    unknown.add(key);
                }
                continue;
            }
            for (OwnedKey owner : owners) {
                try {
                    Object value = convert(owner, entry.getValue(), workDir);
                    byPid.computeIfAbsent(owner.pid(), p -> new LinkedHashMap<>()).put(key, value);
                } catch (IllegalArgumentException e) {
                    errors.add(key + "=" + entry.getValue() + ": " + e.getMessage());
                    break;
                }
            }
        }
        for (OwnedKey owner : catalogue.keys()) {
            String defaultValue = owner.defaultValue();
            if (isPathKey(owner.key()) && !values.containsKey(owner.key()) && defaultValue != null
                    && defaultValue.startsWith(DEFAULT_DATA_DIR)) {
                Object value = convert(owner, defaultValue.substring(DEFAULT_DATA_DIR.length()), dataDir);
                byPid.computeIfAbsent(owner.pid(), p -> new LinkedHashMap<>()).put(owner.key(), value);
            }
        }
        return new Result(byPid, Collections.unmodifiableList(unknown), Collections.unmodifiableList(unsupported),
                Collections.unmodifiableList(errors));
    }

    /** The value as the metatype declares it: a list attribute takes Kafka's comma-separated form. */
    static Object convert(OwnedKey key, String text, Path baseDir) {
        if (isPathKey(key.key())) {
            return paths(text, baseDir);
        }
        if (key.cardinality() == 0) {
            return convert(key.type(), text);
        }
        List<Object> items = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                items.add(convert(key.type(), part.trim()));
            }
        }
        if (key.cardinality() < 0) {
            return items;
        }
        Object array = Array.newInstance(items.isEmpty() ? String.class : items.get(0).getClass(), items.size());
        for (int i = 0; i < items.size(); i++) {
            Array.set(array, i, items.get(i));
        }
        return array;
    }

    private static Object convert(int type, String text) {
        try {
            switch (type) {
                case AttributeDefinition.INTEGER:
                    return Integer.valueOf(text);
                case AttributeDefinition.LONG:
                    return Long.valueOf(text);
                case AttributeDefinition.SHORT:
                    return Short.valueOf(text);
                case AttributeDefinition.BYTE:
                    return Byte.valueOf(text);
                case AttributeDefinition.DOUBLE:
                    return Double.valueOf(text);
                case AttributeDefinition.FLOAT:
                    return Float.valueOf(text);
                case AttributeDefinition.BOOLEAN:
                    String lower = text.toLowerCase(Locale.ROOT);
                    if (!lower.equals("true") && !lower.equals("false")) {
                        throw new IllegalArgumentException("not a boolean (true or false)");
                    }
                    return Boolean.valueOf(lower);
                case AttributeDefinition.CHARACTER:
                    if (text.length() != 1) {
                        throw new IllegalArgumentException("not a single character");
                    }
                    return text.charAt(0);
                default:
                    return text;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(numberProblem(type));
        }
    }

    private static String numberProblem(int type) {
        switch (type) {
            case AttributeDefinition.INTEGER:
                return "not an integer (32 bit)";
            case AttributeDefinition.LONG:
                return "not an integer (64 bit)";
            case AttributeDefinition.SHORT:
                return "not an integer (16 bit)";
            case AttributeDefinition.BYTE:
                return "not an integer (8 bit)";
            default:
                return "not a number";
        }
    }

    private static String paths(String text, Path baseDir) {
        StringJoiner paths = new StringJoiner(",");
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                paths.add(baseDir.resolve(part.trim()).normalize().toString());
            }
        }
        if (paths.length() == 0) {
            throw new IllegalArgumentException("no directory given");
        }
        return paths.toString();
    }
}
