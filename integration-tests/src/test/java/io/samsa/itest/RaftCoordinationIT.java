package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.coordination.Coordinator;

/**
 * A single broker on the Raft coordinator (the coordination-raft feature's two bundles, no
 * ZooKeeper installed at all): a one-voter quorum on a loopback port, and the broker serves
 * Kafka clients on it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RaftCoordinationIT {
    private static final int LEVEL = SamsaOsgiTestSupport.SAMSA_START_LEVEL;

    @Inject
    BundleContext context;

    /** Injection waits until the broker's services are registered, i.e. the broker is ready. */
    @Inject
    ClusterView cluster;

    @Configuration
    public Option[] config() {
        int kafkaPort = SamsaOsgiTestSupport.freePort();
        int raftPort = SamsaOsgiTestSupport.freePort();
        Path data = SamsaOsgiTestSupport.tempDir("samsa-it-raft");
        return options(
                systemProperty("samsa.it.bootstrap").value("127.0.0.1:" + kafkaPort),
                SamsaOsgiTestSupport.platform(),
                composite(
                        mavenBundle("org.ops4j.pax.exam", "pax-exam-cm").versionAsInProject().startLevel(2),
                        newConfiguration("io.samsa.coordination.raft")
                                .put("node.id", 1)
                                .put("controller.quorum.voters", "1@127.0.0.1:" + raftPort)
                                .put("metadata.log.dir", data.resolve("metadata").toString())
                                .put("controller.quorum.election.timeout.ms", 300).asOption(),
                        newConfiguration("io.samsa.broker")
                                .put("broker.id", 1)
                                .put("log.dirs", data.resolve("kafka-logs").toString()).asOption(),
                        newConfiguration("io.samsa.group")
                                .put("offsets.topic.num.partitions", 3)
                                .put("group.initial.rebalance.delay.ms", 0).asOption(),
                        newConfiguration("io.samsa.protocol.kafka.listeners")
                                .put("listeners", "PLAINTEXT://127.0.0.1:" + kafkaPort)
                                .put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + kafkaPort).asOption()),
                mavenBundle("com.github.luben", "zstd-jni").versionAsInProject().startLevel(LEVEL),
                mavenBundle("at.yawk.lz4", "lz4-java").versionAsInProject().startLevel(LEVEL),
                mavenBundle("org.xerial.snappy", "snappy-java").versionAsInProject().startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("kafka-clients-osgi")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("api")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("storage-filechannel")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("ratis-osgi")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("coordination-raft")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("cluster-metadata")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("broker")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("group-coordinator")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("replication")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("controller")).startLevel(LEVEL),
                bundle(SamsaOsgiTestSupport.reactorBundle("protocol-kafka")).startLevel(LEVEL));
    }

    @Test
    public void theBrokerServesOnTheRaftCoordinatorWithNoZooKeeper() throws Exception {
        for (Bundle b : context.getBundles()) {
            assertTrue("no ZooKeeper bundle: " + b.getSymbolicName(), !String.valueOf(b.getSymbolicName()).contains("zookeeper"));
        }
        ServiceReference<Coordinator> ref = context.getServiceReference(Coordinator.class);
        assertEquals("raft", ref.getProperty(Coordinator.TYPE_PROPERTY));
        assertEquals("io.samsa.coordination-raft", ref.getBundle().getSymbolicName());
        assertEquals(Bundle.ACTIVE, bundleOf("org.apache.ratis").getState());

        String bootstrap = System.getProperty("samsa.it.bootstrap");
        KafkaClients.createTopic(bootstrap, "on-raft", 3);
        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap,
                Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("on-raft", Integer.toString(i % 7), Integer.toString(i))).get();
            }
        }
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap, "raft-group", Map.of())) {
            consumer.subscribe(List.of("on-raft"));
            List<ConsumerRecord<String, String>> records = KafkaClients.pollAtLeast(consumer, 30,
                    Duration.ofSeconds(60));
            assertEquals(30, records.size());
        }
        assertTrue("the topic is in the Raft tree: " + cluster.topics(), cluster.topic("on-raft").isPresent());
    }

    private Bundle bundleOf(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
