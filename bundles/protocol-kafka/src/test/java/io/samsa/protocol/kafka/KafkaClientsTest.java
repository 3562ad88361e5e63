package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.samsa.protocol.kafka.testkit.TestBroker;
import io.samsa.testsupport.InMemoryPartitions;
import io.samsa.testsupport.Poll;

/** Real Kafka 4.4 clients against the real server: proves the encoding of every API they use. */
public class KafkaClientsTest {

    private static TestBroker broker;
    private static Admin admin;

    @BeforeClass
    public static void start() throws Exception {
        broker = new TestBroker();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        admin = Admin.create(props);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    public void adminCreatesListsDescribesAndDeletesTopics() throws Exception {
        CreateTopicsResult created = admin.createTopics(List.of(
                new NewTopic("admin-a", 3, (short) 1).configs(Map.of("retention.ms", "1000")),
                new NewTopic("admin-b", java.util.Optional.empty(), java.util.Optional.empty())));
        created.all().get(15, TimeUnit.SECONDS);
        assertEquals(3, (int) created.numPartitions("admin-a").get());
        assertEquals(1, (int) created.replicationFactor("admin-b").get());
        assertEquals("1000", created.config("admin-a").get().get("retention.ms").value());
        assertEquals(broker.cluster.topic("admin-a").get().topicId(), created.topicId("admin-a").get());

        Set<String> names = admin.listTopics().names().get();
        assertTrue(names.containsAll(Set.of("admin-a", "admin-b")));

        TopicDescription description = admin.describeTopics(List.of("admin-a")).allTopicNames().get().get("admin-a");
        assertEquals(3, description.partitions().size());
        assertEquals(0, description.partitions().get(0).leader().id());
        assertEquals(broker.port(), description.partitions().get(0).leader().port());
        // The admin client pages DescribeTopicPartitions by its cursor: one partition per response.
        Map<String, TopicDescription> paged = admin.describeTopics(List.of("admin-a", "admin-b"),
                new DescribeTopicsOptions().partitionSizeLimitPerResponse(1)).allTopicNames().get();
        assertEquals(List.of(0, 1, 2), paged.get("admin-a").partitions().stream().map(p -> p.partition()).toList());
        assertEquals(1, paged.get("admin-b").partitions().size());
        assertEquals(List.of(), paged.get("admin-a").partitions().get(2).elr());

        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "admin-a");
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        ConfigEntry retention = config.get("retention.ms");
        assertEquals("1000", retention.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.source());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, config.get("cleanup.policy").source());

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND),
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE))))
                .all().get();
        assertEquals(Map.of("cleanup.policy", "delete,compact"), broker.cluster.topic("admin-a").get().configs());

        admin.createPartitions(Map.of("admin-a", NewPartitions.increaseTo(5))).all().get();
        assertEquals(5, broker.cluster.topic("admin-a").get().partitions().size());

        admin.deleteTopics(List.of("admin-a", "admin-b")).all().get();
        assertFalse(admin.listTopics().names().get().contains("admin-a"));
        assertFalse(broker.cluster.topic("admin-b").isPresent());
    }

    @Test
    public void adminSeesTopicErrorsWithTheirMessages() throws Exception {
        admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all().get();
        expect(TopicExistsException.class, () -> admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1)))
                .all().get());
        expect(InvalidTopicException.class, () -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1)))
                .all().get());
        expect(UnknownTopicOrPartitionException.class, () -> admin.deleteTopics(List.of("never-created")).all().get());
        String message = expect(org.apache.kafka.common.errors.InvalidReplicationFactorException.class,
                () -> admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all().get());
        assertTrue(message, message.contains("larger than available brokers"));
    }

    @Test
    public void adminDescribesClusterAndBroker() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        assertEquals("samsa-test-cluster", cluster.clusterId().get());
        assertEquals(1, cluster.nodes().get().size());
        assertEquals(0, cluster.controller().get().id());
        ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "0");
        Config config = admin.describeConfigs(List.of(brokerResource)).all().get().get(brokerResource);
        assertEquals("1", config.get("num.partitions").value());
        assertEquals(null, config.get("ssl.key.password").value());
        assertTrue(config.get("ssl.key.password").isSensitive());
    }

    /**
     * Batches of frames above Connection.SMALL_FRAME_BYTES reach the broker as slices of the
     * connection's direct read buffer, not copies (smaller frames are read into heap buffers).
     */
    private void assertBigBatchesArriveAsSlicesOfTheDirectReadBuffer() throws Exception {
        admin.createTopics(List.of(new NewTopic("big-batches", 1, (short) 1))).all().get();
        long before = broker.partitions.directAppends();
        String value = "v".repeat(8 * 1024);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("big-batches", "key-" + i, value)).get(15, TimeUnit.SECONDS);
            }
        }
        assertTrue("batches reached the broker as slices of the direct read buffer",
                broker.partitions.directAppends() - before >= 10);
    }

    @Test
    public void producerAndConsumerRoundTrip() throws Exception {
        admin.createTopics(List.of(new NewTopic("round-trip", 2, (short) 1))).all().get();
        int count = 200;
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>("round-trip", i % 2, "key-" + i, "value-" + i))
                        .get(15, TimeUnit.SECONDS));
            }
        }
        assertEquals(count / 2 - 1, sent.get(count - 1).offset());
        assertBigBatchesArriveAsSlicesOfTheDirectReadBuffer();
        TopicPartition p0 = new TopicPartition("round-trip", 0);
        TopicPartition p1 = new TopicPartition("round-trip", 1);
        long socketBytesBefore = broker.partitions.bytesTransferredToSockets();
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(null))) {
            consumer.assign(List.of(p0, p1));
            consumer.seekToBeginning(List.of(p0, p1));
            Poll.until(count + " records are consumed", () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.size() >= count;
            });
            assertEquals(Map.of(p0, 100L, p1, 100L), consumer.endOffsets(List.of(p0, p1)));
            // Later records reach the same consumer through its incremental fetch session.
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
                for (int i = count; i < count + 20; i++) {
                    producer.send(new ProducerRecord<>("round-trip", i % 2, "key-" + i, "value-" + i));
                }
            }
            Poll.until("20 more records arrive through the fetch session", () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.size() >= count + 20;
            });
            assertEquals(Map.of(p0, 0L, p1, 0L), consumer.beginningOffsets(List.of(p0, p1)));
            assertEquals(0L, consumer.offsetsForTimes(Map.of(p0, 0L)).get(p0).offset());
            assertEquals(null, consumer.offsetsForTimes(Map.of(p0, Long.MAX_VALUE / 2)).get(p0));
        }
        assertEquals(count + 20, received.size());
        for (ConsumerRecord<String, String> record : received) {
            int i = Integer.parseInt(record.key().substring(4));
            assertEquals("value-" + i, record.value());
            assertEquals(i % 2, record.partition());
            assertEquals(i / 2, record.offset());
        }
        assertTrue("records went to the socket through LogSlice.transferTo",
                broker.partitions.bytesTransferredToSockets() > socketBytesBefore);
        assertEquals(0, broker.partitions.bytesTransferredToOtherChannels());
    }

    @Test
    public void consumerCommitsAndAdminSeesTheGroup() throws Exception {
        admin.createTopics(List.of(new NewTopic("committed", 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition("committed", 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("committed", "k", "v" + i));
            }
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps("group-a"))) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(7, "meta")));
            OffsetAndMetadata committed = consumer.committed(Set.of(tp)).get(tp);
            assertEquals(7, committed.offset());
            assertEquals("meta", committed.metadata());
        }
        Collection<GroupListing> groups = admin.listGroups().all().get();
        assertTrue(groups.stream().anyMatch(g -> g.groupId().equals("group-a")));
        assertEquals(7, admin.listConsumerGroupOffsets("group-a").partitionsToOffsetAndMetadata().get().get(tp)
                .offset());
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of("group-a")).all().get()
                .get("group-a");
        assertNotNull(description);
        assertEquals("group-a", description.groupId());

        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).all().get();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(null))) {
            assertEquals(4L, (long) consumer.beginningOffsets(List.of(tp)).get(tp));
        }
        admin.deleteConsumerGroups(List.of("group-a")).all().get();
        assertFalse(admin.listGroups().all().get().stream().anyMatch(g -> g.groupId().equals("group-a")));
    }

    @Test
    public void adminDescribesLogDirsWithPartitionSizesAndTheOfflineDir() throws Exception {
        admin.createTopics(List.of(new NewTopic("sized", 2, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("sized", 0, "k", "v" + i)).get();
            }
        }
        Map<String, org.apache.kafka.clients.admin.LogDirDescription> dirs =
                admin.describeLogDirs(List.of(0)).allDescriptions().get().get(0);
        assertEquals(Set.of(InMemoryPartitions.ONLINE_DIR, InMemoryPartitions.OFFLINE_DIR), dirs.keySet());
        org.apache.kafka.clients.admin.LogDirDescription online = dirs.get(InMemoryPartitions.ONLINE_DIR);
        assertNull(online.error());
        assertEquals(java.util.OptionalLong.of(1L << 40), online.totalBytes());
        long size0 = online.replicaInfos().get(new TopicPartition("sized", 0)).size();
        assertTrue("20 records take space: " + size0, size0 > 20 * 2);
        assertEquals(0, online.replicaInfos().get(new TopicPartition("sized", 1)).size());
        assertFalse(online.replicaInfos().get(new TopicPartition("sized", 0)).isFuture());
        assertTrue(dirs.get(InMemoryPartitions.OFFLINE_DIR).error()
                instanceof org.apache.kafka.common.errors.KafkaStorageException);
        assertTrue(dirs.get(InMemoryPartitions.OFFLINE_DIR).replicaInfos().isEmpty());

        // kafka-reassign-partitions asks for single replicas: the request then names its partitions.
        org.apache.kafka.common.TopicPartitionReplica replica = new org.apache.kafka.common.TopicPartitionReplica("sized", 0, 0);
        org.apache.kafka.clients.admin.DescribeReplicaLogDirsResult.ReplicaLogDirInfo info =
                admin.describeReplicaLogDirs(List.of(replica)).all().get().get(replica);
        assertEquals(InMemoryPartitions.ONLINE_DIR, info.getCurrentReplicaLogDir());
        assertNull(info.getFutureReplicaLogDir());
    }

    @Test
    public void subscribedConsumerJoinsTheGroupAndReads() throws Exception {
        admin.createTopics(List.of(new NewTopic("subscribed", 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("subscribed", "k", "s" + i));
            }
        }
        Properties props = consumerProps("group-sub");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of("subscribed"));
            Poll.until("the subscribed consumer gets 5 records", () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.size() >= 5;
            });
            consumer.commitSync();
            assertEquals(Set.of(new TopicPartition("subscribed", 0)), consumer.assignment());
        }
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4"), values);
        assertEquals(5, admin.listConsumerGroupOffsets("group-sub").partitionsToOffsetAndMetadata().get()
                .get(new TopicPartition("subscribed", 0)).offset());
    }

    @Test
    public void producerAutoCreatesTopics() throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            RecordMetadata metadata = producer.send(new ProducerRecord<>("auto-created", "k", "v"))
                    .get(15, TimeUnit.SECONDS);
            assertEquals(0, metadata.offset());
        }
        assertTrue(broker.cluster.topic("auto-created").isPresent());
    }

    private static Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    private static Properties consumerProps(String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 37);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return props;
    }

    interface Call {
        void run() throws Exception;
    }

    private static String expect(Class<? extends Exception> type, Call call) throws Exception {
        try {
            call.run();
        } catch (ExecutionException e) {
            assertTrue("expected " + type.getSimpleName() + " but got " + e.getCause(), type.isInstance(e.getCause()));
            return e.getCause().getMessage();
        }
        fail("expected " + type.getSimpleName());
        return null;
    }
}
