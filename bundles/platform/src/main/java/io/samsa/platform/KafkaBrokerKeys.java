package io.samsa.platform;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys Apache Kafka's broker accepts, so that a server.properties key no Samsa bundle owns is
 * reported as a Kafka setting Samsa does not support rather than as a typo. Kept as a resource
 * because Kafka's server jars are no part of the runtime; a test checks it against Kafka's own
 * configuration definition.
 */
final class KafkaBrokerKeys {
    static final String RESOURCE = "kafka-broker-keys.txt";

    private static final Set<String> KEYS = load();

    private KafkaBrokerKeys() {
    }

    static boolean contains(String key) {
        return KEYS.contains(key);
    }

    static Set<String> all() {
        return KEYS;
    }

    private static Set<String> load() {
        Set<String> keys = new TreeSet<>();
        try (InputStream in = KafkaBrokerKeys.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the platform bundle");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String key = line.trim();
                if (!key.isEmpty() && !key.startsWith("#")) {
                    keys.add(key);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(keys);
    }
}
