package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
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
import org.osgi.service.cm.ConfigurationAdmin;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.PartitionService;

/**
 * Swaps the storage engine of a running broker, FileChannel to mmap and back, several times and
 * in several ways, while an idempotent producer (acks=all) writes to a 6-partition topic and a
 * consumer group reads it. Every acknowledged record must arrive exactly once, in order within
 * its partition.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StorageHotSwapIT {

    private static final String TOPIC = "swap-under-load";

    @Inject
    BundleContext context;

    @Inject
    ClusterView cluster;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        int kafkaPort = SamsaOsgiTestSupport.freePort();
        int zkPort = SamsaOsgiTestSupport.freePort();
        Path data = SamsaOsgiTestSupport.tempDir("samsa-it-swap");
        return options(
                systemProperty("samsa.it.bootstrap").value("127.0.0.1:" + kafkaPort),
                SamsaOsgiTestSupport.platform(),
                SamsaOsgiTestSupport.brokerConfig(kafkaPort, zkPort, data),
                SamsaOsgiTestSupport.broker(),
                bundle(SamsaOsgiTestSupport.reactorBundle("storage-mmap")).startLevel(SamsaOsgiTestSupport.SAMSA_START_LEVEL));
    }

    @Test
    public void swapsEnginesUnderLoadWithoutLosingOrDuplicatingRecords() throws Exception {
        String bootstrap = System.getProperty("samsa.it.bootstrap");
        KafkaClients.createTopic(bootstrap, TOPIC, 6);

        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Map<Integer, ConcurrentSkipListSet<Long>> acked = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        Thread producerThread = new Thread(() -> {
            try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap, Map.of(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, 2,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000))) {
                long i = 0;
                while (producing.get()) {
                    long n = i++;
                    producer.send(new ProducerRecord<>(TOPIC, Long.toString(n % 97), Long.toString(n)), (md, e) -> {
                        if (e != null) {
                            producerFailure.compareAndSet(null, e);
                        } else {
                            acked.computeIfAbsent(md.partition(), p -> new ConcurrentSkipListSet<>()).add(md.offset());
                        }
                    });
                    sent.incrementAndGet();
                    if (n % 200 == 0) {
                        Thread.sleep(5);
                    }
                }
                producer.flush();
            } catch (Throwable t) {
                producerFailure.compareAndSet(null, t);
            }
        }, "swap-producer");
        producerThread.start();

        Map<Integer, List<ConsumerRecord<String, String>>> consumed = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap, "swap-group",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000))) {
            consumer.subscribe(List.of(TOPIC));
            // Both engines are installed; mmap ranks higher, so it holds the partitions first.
            List<String> engines = new ArrayList<>();
            engines.add(currentEngine());
            pollFor(consumer, consumed, Duration.ofSeconds(2));
            bundleOf("mmap").stop();
            engines.add(awaitEngineChange(engines));
            pollFor(consumer, consumed, Duration.ofSeconds(2));
            bundleOf("mmap").start();
            engines.add(awaitEngineChange(engines));
            pollFor(consumer, consumed, Duration.ofSeconds(2));
            setStorageTarget("(storage.engine=filechannel)");
            engines.add(awaitEngineChange(engines));
            pollFor(consumer, consumed, Duration.ofSeconds(2));
            setStorageTarget("(storage.engine=mmap)");
            engines.add(awaitEngineChange(engines));
            assertEquals("engines in use along the run: stop mmap, start mmap, target filechannel, target mmap",
                    List.of("mmap", "filechannel", "mmap", "filechannel", "mmap"), engines);

            pollFor(consumer, consumed, Duration.ofSeconds(2));
            producing.set(false);
            producerThread.join(120_000);
            assertEquals("the producer saw only retriable errors", null, producerFailure.get());

            long ackedCount = acked.values().stream().mapToLong(s -> s.size()).sum();
            assertTrue("records were acknowledged: " + ackedCount, ackedCount > 1000);
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (count(consumed) < ackedCount && System.nanoTime() < end) {
                pollFor(consumer, consumed, Duration.ofMillis(500));
            }
            for (Map.Entry<Integer, ConcurrentSkipListSet<Long>> e : acked.entrySet()) {
                List<ConsumerRecord<String, String>> got = consumed.getOrDefault(e.getKey(), List.of());
                List<Long> offsets = new ArrayList<>();
                got.forEach(r -> offsets.add(r.offset()));
                assertEquals("partition " + e.getKey() + ": every acknowledged record once, in order",
                        new ArrayList<>(e.getValue()), offsets);
            }
        } finally {
            producing.set(false);
            producerThread.join(120_000);
        }
    }

    private String awaitEngineChange(List<String> engines) throws InterruptedException {
        String previous = engines.get(engines.size() - 1);
        KafkaClients.waitUntil("the broker to leave engine " + previous, Duration.ofSeconds(30),
                () -> currentEngine() != null && !previous.equals(currentEngine()));
        return currentEngine();
    }

    private void setStorageTarget(String filter) throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("io.samsa.broker.storage", "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        props.put("storage.target", filter);
        c.update(props);
    }

    private Bundle bundleOf(String engine) {
        for (Bundle b : context.getBundles()) {
            if (("io.samsa.storage-" + engine).equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle for engine " + engine);
    }

    /** The engine the broker is bound to, as its component reports through the service registry. */
    private String currentEngine() {
        try {
            for (ServiceReference<?> ref : context.getServiceReferences(PartitionService.class.getName(), null)) {
                Object engine = ref.getProperty("storage.engine");
                if (engine != null) {
                    return engine.toString();
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private static void pollFor(KafkaConsumer<String, String> consumer,
            Map<Integer, List<ConsumerRecord<String, String>>> consumed, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                consumed.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
            }
        }
    }

    private static long count(Map<Integer, List<ConsumerRecord<String, String>>> consumed) {
        return consumed.values().stream().mapToLong(List::size).sum();
    }
}
