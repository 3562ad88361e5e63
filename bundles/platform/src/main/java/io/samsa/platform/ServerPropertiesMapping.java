package io.samsa.platform;

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
import java.util.TreeSet;

/**
 * Maps the keys of a Kafka-style server.properties onto the Config Admin PIDs of Samsa's
 * bundles, converting each value to the type the bundle's metatype declares. One key may feed
 * several PIDs.
 */
final class ServerPropertiesMapping {
    static final String BROKER = "io.samsa.broker";
    /** The broker's storage engine choice, a configuration of its own (see KafkaBroker). */
    static final String BROKER_STORAGE = "io.samsa.broker.storage";
    static final String GROUP = "io.samsa.group";
    static final String PROTOCOL = "io.samsa.protocol.kafka";
    static final String ZOOKEEPER = "io.samsa.coordination.zookeeper";
    static final String ZOOKEEPER_EMBEDDED = "io.samsa.coordination.zookeeper.embedded";

    /** Keys the launcher reads before the framework starts; known here so they draw no warning. */
    static final Set<String> LAUNCHER_KEYS = Set.of("samsa.data.dir", "http.port", "samsa.features",
            "webconsole.username", "webconsole.password");

    /** Apache Kafka settings that have no counterpart in Samsa: accepted, reported, not applied. */
    static final Set<String> WITHOUT_EFFECT = Set.of(
            "num.network.threads", "num.io.threads", "num.recovery.threads.per.data.dir", "num.replica.fetchers",
            "socket.send.buffer.bytes", "socket.receive.buffer.bytes",
            "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
            "listener.security.protocol.map", "inter.broker.listener.name", "security.inter.broker.protocol",
            "log.cleaner.enable", "zookeeper.set.acl", "controlled.shutdown.enable",
            "group.coordinator.rebalance.protocols", "unclean.leader.election.enable");

    enum Type { INT, LONG, BOOLEAN, STRING, PATH, PATHS }

    private record Target(Type type, List<String> pids) { }

    private static final Map<String, Target> KEYS = new LinkedHashMap<>();

    private static void key(String key, Type type, String... pids) {
        KEYS.put(key, new Target(type, List.of(pids)));
    }

    static {
        key("broker.id", Type.INT, BROKER);
        key("listeners", Type.STRING, PROTOCOL);
        key("advertised.listeners", Type.STRING, PROTOCOL);
        key("broker.rack", Type.STRING, BROKER);
        key("log.dirs", Type.PATHS, BROKER);
        key("num.partitions", Type.INT, BROKER);
        key("default.replication.factor", Type.INT, BROKER);
        key("min.insync.replicas", Type.INT, BROKER);
        key("delete.topic.enable", Type.BOOLEAN, BROKER);
        key("auto.create.topics.enable", Type.BOOLEAN, BROKER);
        key("log.retention.hours", Type.INT, BROKER);
        key("log.retention.minutes", Type.INT, BROKER);
        key("log.retention.ms", Type.LONG, BROKER);
        key("log.retention.bytes", Type.LONG, BROKER);
        key("log.segment.bytes", Type.INT, BROKER);
        key("log.roll.hours", Type.INT, BROKER);
        key("log.roll.ms", Type.LONG, BROKER);
        key("log.index.interval.bytes", Type.INT, BROKER);
        key("log.retention.check.interval.ms", Type.LONG, BROKER);
        key("log.flush.interval.messages", Type.LONG, BROKER);
        key("log.flush.interval.ms", Type.LONG, BROKER);
        key("message.max.bytes", Type.INT, BROKER);
        key("storage.target", Type.STRING, BROKER_STORAGE);
        key("coordinator.target", Type.STRING, BROKER);

        key("offsets.topic.num.partitions", Type.INT, GROUP);
        key("offsets.topic.replication.factor", Type.INT, GROUP);
        key("offsets.topic.segment.bytes", Type.INT, GROUP);
        key("group.initial.rebalance.delay.ms", Type.INT, GROUP);
        key("group.min.session.timeout.ms", Type.INT, GROUP);
        key("group.max.session.timeout.ms", Type.INT, GROUP);
        key("group.max.size", Type.INT, GROUP);
        key("offsets.retention.minutes", Type.INT, GROUP);

        key("socket.request.max.bytes", Type.INT, PROTOCOL);
        key("connections.max.idle.ms", Type.LONG, PROTOCOL);

        key("zookeeper.connect", Type.STRING, ZOOKEEPER, ZOOKEEPER_EMBEDDED);
        key("zookeeper.embedded.port", Type.INT, ZOOKEEPER_EMBEDDED);
        key("zookeeper.embedded.dir", Type.PATH, ZOOKEEPER_EMBEDDED);
        key("zookeeper.session.timeout.ms", Type.INT, ZOOKEEPER);
        key("zookeeper.connection.timeout.ms", Type.INT, ZOOKEEPER);
    }

    /** What a server.properties turns into. */
    record Result(Map<String, Map<String, Object>> byPid, List<String> unknownKeys, List<String> keysWithoutEffect,
            List<String> errors) {
        Map<String, Object> pid(String pid) {
            return byPid.getOrDefault(pid, Map.of());
        }
    }

    private ServerPropertiesMapping() {
    }

    /** The PIDs a key is written to; empty for a key Samsa does not know. */
    static List<String> pidsOf(String key) {
        Target target = KEYS.get(key);
        return target == null ? List.of() : target.pids();
    }

    /**
     * Maps the properties. Relative paths are resolved against {@code workDir}; log.dirs and the
     * embedded ZooKeeper directory default to folders of {@code dataDir}, so brokers sharing a
     * machine with different data directories share no files.
     */
    static Result map(Properties properties, Path workDir, Path dataDir) {
        Map<String, Map<String, Object>> byPid = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        List<String> withoutEffect = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            values.put(key, properties.getProperty(key).trim());
        }
        if (!values.containsKey("log.dirs") && values.containsKey("log.dir")) {
            values.put("log.dirs", values.get("log.dir"));
        }
        values.remove("log.dir");
        values.putIfAbsent("log.dirs", dataDir.resolve("kafka-logs").toString());
        values.putIfAbsent("zookeeper.embedded.dir", dataDir.resolve("zookeeper").toString());

        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            Target target = KEYS.get(key);
            if (target == null) {
                if (WITHOUT_EFFECT.contains(key)) {
                    withoutEffect.add(key);
                } else if (!LAUNCHER_KEYS.contains(key)) {
                    unknown.add(key);
                }
                continue;
            }
            Object value;
            try {
                value = convert(target.type(), entry.getValue(), workDir);
            } catch (IllegalArgumentException e) {
                errors.add(key + "=" + entry.getValue() + ": " + e.getMessage());
                continue;
            }
            for (String pid : target.pids()) {
                byPid.computeIfAbsent(pid, p -> new LinkedHashMap<>()).put(key, value);
            }
        }
        return new Result(byPid, Collections.unmodifiableList(unknown), Collections.unmodifiableList(withoutEffect),
                Collections.unmodifiableList(errors));
    }

    static Object convert(Type type, String text, Path workDir) {
        switch (type) {
            case INT:
                try {
                    return Integer.valueOf(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an integer (32 bit)");
                }
            case LONG:
                try {
                    return Long.valueOf(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an integer (64 bit)");
                }
            case BOOLEAN:
                String lower = text.toLowerCase(Locale.ROOT);
                if (!lower.equals("true") && !lower.equals("false")) {
                    throw new IllegalArgumentException("not a boolean (true or false)");
                }
                return Boolean.valueOf(lower);
            case PATH:
                if (text.isEmpty()) {
                    throw new IllegalArgumentException("empty path");
                }
                return workDir.resolve(text).normalize().toString();
            case PATHS:
                StringJoiner paths = new StringJoiner(",");
                for (String part : text.split(",")) {
                    if (!part.isBlank()) {
                        paths.add(workDir.resolve(part.trim()).normalize().toString());
                    }
                }
                if (paths.length() == 0) {
                    throw new IllegalArgumentException("no directory given");
                }
                return paths.toString();
            default:
                return text;
        }
    }
}
