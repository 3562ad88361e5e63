package io.samsa.platform;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.Test;

public class KafkaBrokerKeysTest {

    @Test
    public void theListIsApacheKafkasBrokerConfiguration() {
        Set<String> kafka = new TreeSet<>(AbstractKafkaConfig.CONFIG_DEF.names());
        Set<String> missing = new TreeSet<>(kafka);
        missing.removeAll(KafkaBrokerKeys.all());
        Set<String> extra = new TreeSet<>(KafkaBrokerKeys.all());
        extra.removeAll(kafka);
        assertEquals("keys of Kafka's broker missing from " + KafkaBrokerKeys.RESOURCE, Set.of(), missing);
        assertEquals("keys in " + KafkaBrokerKeys.RESOURCE + " that Kafka's broker does not have", Set.of(), extra);
        assertTrue(KafkaBrokerKeys.contains("min.insync.replicas"));
    }
}
