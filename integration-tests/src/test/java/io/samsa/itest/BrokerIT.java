package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;

import javax.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.coordination.Coordinator;

/**
 * Felix with Samsa's real bundles (FileChannel storage, embedded ZooKeeper), driven by real
 * kafka-clients over loopback sockets.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BrokerIT {

    @Inject
    BundleContext context;

    /** Injection waits until the broker's services are registered, i.e. the broker is ready. */
    @Inject
    ClusterView cluster;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        int kafkaPort = SamsaOsgiTestSupport.freePort();
        int proxyPort = SamsaOsgiTestSupport.freePort();
        int zkPort = SamsaOsgiTestSupport.freePort();
        int reboundPort = SamsaOsgiTestSupport.freePort();
        Path data = SamsaOsgiTestSupport.tempDir("samsa-it-broker");
        return options(
                // Clients reach the broker through a proxy that can lose responses on demand.
                systemProperty("samsa.it.bootstrap").value("127.0.0.1:" + proxyPort),
                systemProperty("samsa.it.brokerPort").value(Integer.toString(kafkaPort)),
                systemProperty("samsa.it.proxyPort").value(Integer.toString(proxyPort)),
                // picked here, by the driver: the container has no test-support on its class path
                systemProperty("samsa.it.reboundPort").value(Integer.toString(reboundPort)),
                SamsaOsgiTestSupport.platform(),
                SamsaOsgiTestSupport.brokerConfig(kafkaPort, proxyPort, zkPort, data),
                SamsaOsgiTestSupport.broker());
    }

    private static LinkProxy proxy;

    private static synchronized String bootstrap() {
        if (proxy == null) {
            try {
                proxy = new LinkProxy(Integer.getInteger("samsa.it.proxyPort"),
                        Integer.getInteger("samsa.it.brokerPort"), LinkProxy.Framing.KAFKA);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot start the test proxy", e);
            }
        }
        return System.getProperty("samsa.it.bootstrap");
    }

    @Test
    public void producesAndConsumesWithAcksAll() throws Exception {
        KafkaClients.createTopic(bootstrap(), "it-basic", 3);
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(), Map.of())) {
            for (int i = 0; i < 300; i++) {
                String v = "value-" + i;
                producer.send(new ProducerRecord<>("it-basic", "key-" + (i % 7), v)).get();
                sent.add(v);
            }
        }
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap(), "it-basic-group", Map.of())) {
            consumer.subscribe(List.of("it-basic"));
            List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(consumer, sent.size(), Duration.ofSeconds(60));
            assertEquals("records received", sent.size(), got.size());
            Set<String> values = new HashSet<>();
            got.forEach(r -> values.add(r.value()));
            assertEquals(new HashSet<>(sent), values);
            // Same key, same partition, in order.
            Map<String, Integer> lastByKey = new HashMap<>();
            for (ConsumerRecord<String, String> r : got) {
                int n = Integer.parseInt(r.value().substring("value-".length()));
                Integer prev = lastByKey.put(r.key(), n);
                assertTrue("order within key " + r.key(), prev == null || prev < n);
            }
        }
    }

    @Test
    public void consumerGroupSharesPartitionsAndSecondGroupReadsEverything() throws Exception {
        String topic = "it-groups";
        KafkaClients.createTopic(bootstrap(), topic, 6);
        int total = 600;
        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(), Map.of())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, Integer.toString(i), "m" + i)));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get();
            }
        }

        List<KafkaConsumer<String, String>> members = new ArrayList<>();
        List<ConsumerRecord<String, String>> received = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                KafkaConsumer<String, String> c = KafkaClients.consumer(bootstrap(), "queue-group",
                        Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000));
                c.subscribe(List.of(topic));
                members.add(c);
            }
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < end && !(received.size() >= total && allAssigned(members, 6))) {
                for (KafkaConsumer<String, String> c : members) {
                    c.poll(Duration.ofMillis(100)).forEach(received::add);
                }
            }
            Set<TopicPartition> union = new HashSet<>();
            int sum = 0;
            for (KafkaConsumer<String, String> c : members) {
                Set<TopicPartition> a = c.assignment();
                assertEquals("every member gets 2 of the 6 partitions: " + a, 2, a.size());
                sum += a.size();
                union.addAll(a);
            }
            assertEquals("assignments are disjoint", sum, union.size());
            assertEquals("assignments cover all partitions", 6, union.size());
            assertEquals("each record consumed once within the group", total, received.size());
            Set<String> distinct = new HashSet<>();
            received.forEach(r -> distinct.add(r.value()));
            assertEquals(total, distinct.size());
        } finally {
            members.forEach(KafkaConsumer::close);
        }

        try (KafkaConsumer<String, String> other = KafkaClients.consumer(bootstrap(), "pubsub-group", Map.of())) {
            other.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> all = KafkaClients.pollAtLeast(other, total, Duration.ofSeconds(60));
            assertEquals("a second group reads every record again", total, all.size());
        }
    }

    private static boolean allAssigned(List<KafkaConsumer<String, String>> members, int partitions) {
        int n = 0;
        for (KafkaConsumer<String, String> c : members) {
            n += c.assignment().size();
        }
        return n == partitions && members.stream().allMatch(c -> !c.assignment().isEmpty());
    }

    @Test
    public void committedOffsetsAndDataSurviveABrokerRestart() throws Exception {
        String topic = "it-restart";
        KafkaClients.createTopic(bootstrap(), topic, 2);
        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(), Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "before-" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> c = KafkaClients.consumer(bootstrap(), "restart-group",
                Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(c, 100, Duration.ofSeconds(60));
            assertEquals(100, got.size());
            c.commitSync();
        }

        restartSamsaBundles();

        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "after-" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> c = KafkaClients.consumer(bootstrap(), "restart-group", Map.of())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(c, 10, Duration.ofSeconds(60));
            assertEquals("resumes at the committed offsets: " + KafkaClients.values(got), 10, got.size());
            got.forEach(r -> assertTrue(r.value(), r.value().startsWith("after-")));
        }
        try (KafkaConsumer<String, String> c = KafkaClients.consumer(bootstrap(), "fresh-group", Map.of())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(c, 110, Duration.ofSeconds(60));
            assertEquals("all records are still stored", 110, got.size());
        }
    }

    /**
     * A coordinator setting changed in Config Admin re-creates the coordinator component, which
     * reconnects; the embedded ZooKeeper server is a component of its own and keeps running (the
     * same service registration, so never restarted) with its data, and the broker serves again.
     */
    @Test
    public void reconfiguringTheCoordinatorKeepsTheEmbeddedServerRunning() throws Exception {
        String serverClass = "io.samsa.coordination.zookeeper.EmbeddedZooKeeperServer";
        ServiceReference<?>[] servers = context.getServiceReferences(serverClass, null);
        assertEquals("one embedded server", 1, servers.length);
        Object serverId = servers[0].getProperty(Constants.SERVICE_ID);
        ServiceReference<Coordinator> before = context.getServiceReference(Coordinator.class);
        Object coordinatorId = before.getProperty(Constants.SERVICE_ID);
        Coordinator coordinator = context.getService(before);
        String clusterId = coordinator.clusterId();
        assertEquals(0, coordinator.compareAndSet("/it-reconfigure", "kept".getBytes(StandardCharsets.UTF_8),
                Coordinator.ABSENT));
        context.ungetService(before);
        KafkaClients.createTopic(bootstrap(), "it-reconfigure", 1);

        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("io.samsa.coordination.zookeeper", "?");
        Dictionary<String, Object> properties = config.getProperties();
        properties.put("zookeeper.session.timeout.ms", 12000);
        config.update(properties);

        KafkaClients.waitUntil("a new coordinator service", Duration.ofSeconds(60), () -> {
            ServiceReference<Coordinator> now = context.getServiceReference(Coordinator.class);
            return now != null && !coordinatorId.equals(now.getProperty(Constants.SERVICE_ID));
        });
        ServiceReference<?>[] serversAfter = context.getServiceReferences(serverClass, null);
        assertEquals("the server was not restarted", serverId, serversAfter[0].getProperty(Constants.SERVICE_ID));
        ServiceReference<Coordinator> after = context.getServiceReference(Coordinator.class);
        Coordinator reconnected = context.getService(after);
        try {
            assertEquals(clusterId, reconnected.clusterId());
            assertEquals("kept", new String(reconnected.read("/it-reconfigure").orElseThrow().value(),
                    StandardCharsets.UTF_8));
        } finally {
            context.ungetService(after);
        }
        KafkaClients.waitUntil("the broker to serve again", Duration.ofSeconds(60), () -> {
            try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(),
                    Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000))) {
                producer.send(new ProducerRecord<>("it-reconfigure", "k", "after")).get();
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /**
     * A new {@code listeners} value rebinds live: the broker registers the new endpoint, clients
     * bootstrap from it, and the old port is closed. The old value is restored for the other tests.
     */
    @Test
    public void changingListenersRebindsAndTheBrokerAdvertisesTheNewPort() throws Exception {
        KafkaClients.createTopic(bootstrap(), "it-rebind", 1);
        int oldPort = Integer.getInteger("samsa.it.brokerPort");
        int newPort = Integer.getInteger("samsa.it.reboundPort");
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("io.samsa.protocol.kafka.listeners", "?");
        Dictionary<String, Object> original = config.getProperties();
        Dictionary<String, Object> changed = copy(original);
        changed.put("listeners", "PLAINTEXT://127.0.0.1:" + newPort);
        changed.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + newPort);
        config.update(changed);
        try {
            String direct = "127.0.0.1:" + newPort;
            KafkaClients.waitUntil("the broker to serve on port " + newPort, Duration.ofSeconds(60), () -> {
                try (var admin = KafkaClients.admin(direct)) {
                    return admin.describeCluster().nodes().get().stream().anyMatch(n -> n.port() == newPort);
                } catch (Exception e) {
                    return false;
                }
            });
            try (KafkaProducer<String, String> producer = KafkaClients.producer(direct,
                    Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20000))) {
                RecordMetadata written = producer.send(new ProducerRecord<>("it-rebind", "k", "rebound")).get();
                assertEquals(0, written.partition());
            }
            ServiceReference<io.samsa.api.broker.ListenerEndpoints> endpoints =
                    context.getServiceReference(io.samsa.api.broker.ListenerEndpoints.class);
            try {
                assertEquals(newPort, context.getService(endpoints).clientEndpoint().port());
            } finally {
                context.ungetService(endpoints);
            }
            try (java.net.Socket old = new java.net.Socket()) {
                old.connect(new java.net.InetSocketAddress("127.0.0.1", oldPort), 2000);
                throw new AssertionError("port " + oldPort + " still accepts connections after the rebind");
            } catch (java.net.ConnectException expected) {
                // the old listener is closed
            }
        } finally {
            config.update(original);
            KafkaClients.waitUntil("the broker to serve on its first port again", Duration.ofSeconds(60), () -> {
                try (var admin = KafkaClients.admin(bootstrap())) {
                    return admin.listTopics().names().get().contains("it-rebind");
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> properties) {
        Dictionary<String, Object> copy = new java.util.Hashtable<>();
        for (java.util.Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            copy.put(key, properties.get(key));
        }
        return copy;
    }

    /** Stops and starts every Samsa bundle: the broker re-reads metadata, logs and offsets from disk. */
    private void restartSamsaBundles() throws Exception {
        List<Bundle> samsa = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.samsa.")) {
                samsa.add(b);
            }
        }
        for (int i = samsa.size() - 1; i >= 0; i--) {
            samsa.get(i).stop();
        }
        for (Bundle b : samsa) {
            b.start();
        }
        KafkaClients.waitUntil("the broker to serve again", Duration.ofSeconds(60), () -> {
            try (var admin = KafkaClients.admin(bootstrap())) {
                return admin.listTopics().names().get().contains("it-restart");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void idempotentProducerRetriesDoNotDuplicate() throws Exception {
        String topic = "it-idempotent";
        KafkaClients.createTopic(bootstrap(), topic, 1);
        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(), Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                if (i == 200 || i == 600) {
                    // The broker appends these batches but their responses are lost: the
                    // producer resends them, and the broker must not store them twice.
                    proxy.dropNextProduceResponses(2);
                }
                acks.add(producer.send(new ProducerRecord<>(topic, null, "i" + i)));
                if (i % 50 == 0) {
                    producer.flush();
                }
            }
            long previous = -1;
            for (Future<RecordMetadata> f : acks) {
                long offset = f.get().offset();
                assertTrue("offsets increase", offset > previous);
                previous = offset;
            }
        }
        try (KafkaConsumer<String, String> c = KafkaClients.consumer(bootstrap(), null, Map.of())) {
            c.assign(List.of(new TopicPartition(topic, 0)));
            c.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(c, 1000, Duration.ofSeconds(60));
            assertEquals(1000, got.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals("i" + i, got.get(i).value());
            }
            assertEquals("no extra records", 0, c.poll(Duration.ofMillis(500)).count());
        }
        assertTrue("responses were really lost and retried", proxy.droppedResponses() >= 2);
    }

    @Test
    public void compressedBatchesArePassedThroughForEveryCodec() throws Exception {
        for (String codec : List.of("gzip", "snappy", "lz4", "zstd")) {
            String topic = "it-codec-" + codec;
            KafkaClients.createTopic(bootstrap(), topic, 1);
            try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap(), Map.of(
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 20))) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    acks.add(producer.send(new ProducerRecord<>(topic, "k" + i, codec + "-" + i + "-" + "x".repeat(50))));
                }
                for (Future<RecordMetadata> f : acks) {
                    f.get();
                }
            }
            try (KafkaConsumer<String, String> c = KafkaClients.consumer(bootstrap(), null, Map.of())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(c, 200, Duration.ofSeconds(60));
                assertEquals(codec, 200, got.size());
                for (int i = 0; i < 200; i++) {
                    assertEquals(codec, codec + "-" + i + "-" + "x".repeat(50), got.get(i).value());
                }
            }
        }
    }
}
