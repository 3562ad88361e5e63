package io.samsa.webconsole.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import io.samsa.api.broker.ListenerEndpoints;

/**
 * The console's way into the cluster: a Kafka Admin client, a producer and short-lived
 * consumers, all connected to this broker's own advertised listener. Going through the protocol
 * rather than the broker's internals means the pages see exactly what any Kafka tool sees, and
 * change things only the way a client may.
 */
@Component(service = KafkaConnection.class)
public class KafkaConnection {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrap;
    private final Admin admin;
    private volatile KafkaProducer<byte[], byte[]> producer;

    @Activate
    public KafkaConnection(@Reference(name = "listeners") ListenerEndpoints listeners) {
        ListenerEndpoints.Endpoint endpoint = listeners.clientEndpoint();
        this.bootstrap = (endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host()) + ":" + endpoint.port();
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "samsa-webconsole");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        this.admin = withKafkaClassLoader(() -> Admin.create(config));
    }

    @Deactivate
    void close() {
        admin.close(Duration.ofSeconds(2));
        KafkaProducer<byte[], byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(2));
        }
    }

    String bootstrap() {
        return bootstrap;
    }

    Admin admin() {
        return admin;
    }

    KafkaProducer<byte[], byte[]> producer() {
        KafkaProducer<byte[], byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                p = producer;
                if (p == null) {
                    Properties config = new Properties();
                    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                    config.put(ProducerConfig.CLIENT_ID_CONFIG, "samsa-webconsole-producer");
                    config.put(ProducerConfig.ACKS_CONFIG, "all");
                    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
                    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
                    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis() - 1000);
                    producer = p = withKafkaClassLoader(
                            () -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()));
                }
            }
        }
        return p;
    }

    /** A consumer without a group, reading one partition; close it after the page is read. */
    PartitionReader reader(TopicPartition partition) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "samsa-webconsole-browser");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // looking at a topic must not create it
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        KafkaConsumer<byte[], byte[]> consumer = withKafkaClassLoader(
                () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        consumer.assign(List.of(partition));
        return new PartitionReader(consumer, partition);
    }

    /**
     * The timestamp of the record at each given offset (a group's oldest unconsumed record, so
     * that its lag can be told in time as well as in records), read with one consumer for all
     * of them; a partition whose record does not arrive within the deadline is left out.
     */
    Map<TopicPartition, Long> timestampsAt(Map<TopicPartition, Long> offsets, Duration deadline) {
        Map<TopicPartition, Long> timestamps = new java.util.HashMap<>();
        if (offsets.isEmpty()) {
            return timestamps;
        }
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "samsa-webconsole-lag");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
        try (KafkaConsumer<byte[], byte[]> consumer = withKafkaClassLoader(
                () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()))) {
            consumer.assign(offsets.keySet());
            offsets.forEach(consumer::seek);
            long end = System.nanoTime() + deadline.toNanos();
            while (timestamps.size() < offsets.size() && System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (!timestamps.containsKey(tp)) {
                        timestamps.put(tp, record.timestamp());
                        consumer.pause(List.of(tp));
                    }
                }
            }
        }
        return timestamps;
    }

    /**
     * The partition count of an existing topic. Checked before browsing or producing: the
     * producer would otherwise create a mistyped topic, and a consumer wait out its timeout.
     */
    int partitionCount(String topic) throws KafkaCallException {
        return await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().size();
    }

    /** The result of an Admin call, waiting at most {@link #CALL_TIMEOUT}; failures carry Kafka's own message. */
    static <T> T await(KafkaFuture<T> future) throws KafkaCallException {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaCallException(e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaCallException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCallException(e);
        }
    }

    /**
     * Kafka's clients load classes named in their configuration through the thread's context
     * class loader; a web request's thread has the HTTP service's, which cannot see them.
     */
    private static <T> T withKafkaClassLoader(Supplier<T> create) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Admin.class.getClassLoader());
        try {
            return create.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** {@link PartitionBrowser.RecordSource} over a consumer assigned to one partition. */
    static final class PartitionReader implements PartitionBrowser.RecordSource, AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final TopicPartition partition;

        PartitionReader(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition) {
            this.consumer = consumer;
            this.partition = partition;
        }

        @Override
        public long beginningOffset() {
            return consumer.beginningOffsets(Set.of(partition), CALL_TIMEOUT).get(partition);
        }

        @Override
        public long endOffset() {
            return consumer.endOffsets(Set.of(partition), CALL_TIMEOUT).get(partition);
        }

        @Override
        public long offsetForTime(long timestamp) {
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(partition, timestamp), CALL_TIMEOUT);
            OffsetAndTimestamp at = found.get(partition);
            return at == null ? -1 : at.offset();
        }

        @Override
        public List<ConsumerRecord<byte[], byte[]>> read(long from, long to) {
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            consumer.seek(partition, from);
            long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
            while (consumer.position(partition, CALL_TIMEOUT) < to && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(partition)) {
                    if (record.offset() >= from && record.offset() < to) {
                        records.add(record);
                    }
                }
            }
            return records;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(1));
        }
    }
}
