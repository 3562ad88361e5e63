package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;

public class TopicAdminTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;

    private BrokerServer broker(Map<String, ?> config) throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        return fixture.start(0, config);
    }

    @After
    public void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static ApiError create(TopicAdmin admin, String name, int partitions, int rf) {
        return admin.createTopic(name, partitions, (short) rf, Map.of(), Map.of(), false);
    }

    @Test
    public void createdTopicIsVisibleAtOnceAndStoredInKafkaLayout() throws Exception {
        BrokerServer b = broker(Map.of());
        assertEquals(ApiError.NONE, create(b.topicAdmin(), "orders", 3, 1));
        TopicView t = b.clusterView().topic("orders").orElseThrow();
        assertEquals(3, t.partitions().size());
        assertFalse(t.internal());
        assertEquals(t, b.clusterView().topic(t.topicId()).orElseThrow());
        for (PartitionView p : t.partitions()) {
            assertEquals(0, p.leader());
            assertEquals(List.of(0), p.isr());
            assertEquals(0, p.leaderEpoch());
            assertNotNull(b.registry().get(new TopicPartition("orders", p.partition())));
        }
        String node = new String(fixture.coordinator.read("/brokers/topics/orders").orElseThrow().value(),
                StandardCharsets.UTF_8);
        assertEquals("{\"version\":3,\"topic_id\":\"" + t.topicId() + "\",\"partitions\":{\"0\":[0],\"1\":[0],"
                + "\"2\":[0]},\"adding_replicas\":{},\"removing_replicas\":{}}", node);
        String state = new String(fixture.coordinator.read("/brokers/topics/orders/partitions/1/state")
                .orElseThrow().value(), StandardCharsets.UTF_8);
        assertTrue(state, state.matches("\\{\"controller_epoch\":-1,\"leader\":0,\"version\":1,"
                + "\"leader_epoch\":0,\"isr\":\\[0\\]\\}"));
        assertEquals("{\"version\":1,\"config\":{}}", new String(
                fixture.coordinator.read("/config/topics/orders").orElseThrow().value(), StandardCharsets.UTF_8));
        assertEquals("1 dir per partition", 3, Files.list(b.settings().logDirs().get(0)).count());
        assertEquals(List.of("orders"), b.clusterView().topics().stream().map(TopicView::name).toList());
    }

    @Test
    public void invalidNamesAreRejected() throws Exception {
        TopicAdmin admin = broker(Map.of()).topicAdmin();
        for (String bad : new String[] {"", ".", "..", "a b", "caf\u00e9", "x".repeat(250)}) {
            ApiError e = create(admin, bad, 1, 1);
            assertEquals(bad, Errors.INVALID_TOPIC_EXCEPTION, e.error());
            assertNotNull(e.message());
        }
        assertEquals(ApiError.NONE, create(admin, "x".repeat(249), 1, 1));
        assertEquals(ApiError.NONE, create(admin, "a.b", 1, 1));
        ApiError collision = create(admin, "a_b", 1, 1);
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, collision.error());
        assertTrue(collision.message(), collision.message().contains("collides"));
    }

    @Test
    public void partitionsReplicationAndDuplicatesAreValidated() throws Exception {
        TopicAdmin admin = broker(Map.of()).topicAdmin();
        assertEquals(Errors.INVALID_PARTITIONS, create(admin, "t", 0, 1).error());
        assertEquals(Errors.INVALID_PARTITIONS, create(admin, "t", -5, 1).error());
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, create(admin, "t", 1, 0).error());
        ApiError rf = create(admin, "t", 1, 3);
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, rf.error());
        assertTrue(rf.message(), rf.message().contains("only 1 broker(s) are registered"));
        assertEquals(ApiError.NONE, create(admin, "t", 1, 1));
        ApiError exists = create(admin, "t", 1, 1);
        assertEquals(Errors.TOPIC_ALREADY_EXISTS, exists.error());
        assertEquals("Topic 't' already exists.", exists.message());
    }

    @Test
    public void explicitAssignmentsAreChecked() throws Exception {
        TopicAdmin admin = broker(Map.of()).topicAdmin();
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT,
                admin.createTopic("t", -1, (short) -1, Map.of(0, List.of(5)), Map.of(), false).error());
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT,
                admin.createTopic("t", -1, (short) -1, Map.of(1, List.of(0)), Map.of(), false).error());
        assertEquals(Errors.INVALID_REQUEST,
                admin.createTopic("t", 2, (short) -1, Map.of(0, List.of(0)), Map.of(), false).error());
        assertEquals(ApiError.NONE,
                admin.createTopic("t", -1, (short) -1, Map.of(0, List.of(0), 1, List.of(0)), Map.of(), false));
    }

    @Test
    public void configsAreValidatedByName() throws Exception {
        BrokerServer b = broker(Map.of());
        ApiError unknown = b.topicAdmin().createTopic("t", 1, (short) 1, Map.of(), Map.of("no.such.key", "1"), false);
        assertEquals(Errors.INVALID_CONFIG, unknown.error());
        assertTrue(unknown.message(), unknown.message().contains("no.such.key"));
        ApiError bad = b.topicAdmin().createTopic("t", 1, (short) 1, Map.of(), Map.of("retention.ms", "soon"), false);
        assertEquals(Errors.INVALID_CONFIG, bad.error());
        assertTrue(bad.message(), bad.message().contains("retention.ms"));
        assertEquals(Errors.INVALID_CONFIG, b.topicAdmin().createTopic("t", 1, (short) 1, Map.of(),
                Map.of("message.timestamp.type", "LogAppendTime"), false).error());
        assertTrue(b.clusterView().topic("t").isEmpty());
    }

    @Test
    public void validateOnlyCreatesNothing() throws Exception {
        BrokerServer b = broker(Map.of());
        assertEquals(ApiError.NONE, b.topicAdmin().createTopic("t", 2, (short) 1, Map.of(), Map.of(), true));
        assertTrue(b.clusterView().topic("t").isEmpty());
        assertTrue(fixture.coordinator.read("/brokers/topics/t").isEmpty());
    }

    @Test
    public void defaultsComeFromBrokerConfig() throws Exception {
        BrokerServer b = broker(Map.of("num.partitions", 4));
        assertEquals(ApiError.NONE, b.topicAdmin().createTopic("t", -1, (short) -1, Map.of(), Map.of(), false));
        assertEquals(4, b.clusterView().topic("t").orElseThrow().partitions().size());
    }

    @Test
    public void autoCreationFollowsTheSwitch() throws Exception {
        BrokerServer b = broker(Map.of("num.partitions", 2));
        assertEquals(ApiError.NONE, b.topicAdmin().autoCreateTopic("auto"));
        assertEquals(2, b.clusterView().topic("auto").orElseThrow().partitions().size());
        assertEquals(ApiError.NONE, b.topicAdmin().autoCreateTopic("auto"));
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, b.topicAdmin().autoCreateTopic("bad name").error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, b.topicAdmin().autoCreateTopic("__internal").error());
        fixture.close();

        fixture = new BrokerFixture(tmp.newFolder().toPath());
        BrokerServer off = fixture.start(0, Map.of("auto.create.topics.enable", false));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, off.topicAdmin().autoCreateTopic("auto").error());
        assertTrue(off.clusterView().topic("auto").isEmpty());
        assertEquals(ApiError.NONE, create(off.topicAdmin(), "__consumer_offsets", 3, 1));
        assertTrue(off.clusterView().topic("__consumer_offsets").orElseThrow().internal());
    }

    @Test
    public void deleteRemovesMetadataAndLogs() throws Exception {
        BrokerServer b = broker(Map.of());
        create(b.topicAdmin(), "gone", 2, 1);
        assertEquals(ApiError.NONE, b.topicAdmin().deleteTopic("gone"));
        assertTrue(b.clusterView().topic("gone").isEmpty());
        assertTrue(fixture.coordinator.read("/brokers/topics/gone").isEmpty());
        assertTrue(fixture.coordinator.read("/config/topics/gone").isEmpty());
        assertNull(b.registry().get(new TopicPartition("gone", 0)));
        assertEquals(0, Files.list(b.settings().logDirs().get(0)).count());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, b.topicAdmin().deleteTopic("gone").error());
        // The name can be used again, for a new topic with a new id.
        assertEquals(ApiError.NONE, create(b.topicAdmin(), "gone", 1, 1));
    }

    @Test
    public void deletionCanBeDisabled() throws Exception {
        BrokerServer b = broker(Map.of("delete.topic.enable", "false"));
        create(b.topicAdmin(), "kept", 1, 1);
        assertEquals(Errors.TOPIC_DELETION_DISABLED, b.topicAdmin().deleteTopic("kept").error());
        assertTrue(b.clusterView().topic("kept").isPresent());
    }

    @Test
    public void partitionsCanOnlyGrow() throws Exception {
        BrokerServer b = broker(Map.of());
        create(b.topicAdmin(), "t", 2, 1);
        assertEquals(Errors.INVALID_PARTITIONS, b.topicAdmin().createPartitions("t", 1, null, false).error());
        assertEquals(Errors.INVALID_PARTITIONS, b.topicAdmin().createPartitions("t", 2, null, false).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                b.topicAdmin().createPartitions("nope", 3, null, false).error());
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT,
                b.topicAdmin().createPartitions("t", 4, List.of(List.of(0)), false).error());
        assertEquals(ApiError.NONE, b.topicAdmin().createPartitions("t", 3, null, true));
        assertEquals(2, b.clusterView().topic("t").orElseThrow().partitions().size());
        assertEquals(ApiError.NONE, b.topicAdmin().createPartitions("t", 4, null, false));
        TopicView t = b.clusterView().topic("t").orElseThrow();
        assertEquals(4, t.partitions().size());
        assertEquals(0, t.partitions().get(3).leader());
        assertNotNull(b.registry().get(new TopicPartition("t", 3)));
    }

    @Test
    public void describeAndAlterTopicConfig() throws Exception {
        BrokerServer b = broker(Map.of("log.retention.hours", 24));
        b.topicAdmin().createTopic("t", 1, (short) 1, Map.of(), Map.of("segment.bytes", "1048576"), false);
        Map<String, ConfigEntry> d = byName(b.topicAdmin().describeTopicConfig("t"));
        assertEquals("1048576", d.get("segment.bytes").value());
        assertEquals(ConfigEntry.SOURCE_TOPIC, d.get("segment.bytes").source());
        assertEquals("86400000", d.get("retention.ms").value());
        assertEquals(ConfigEntry.SOURCE_STATIC_BROKER, d.get("retention.ms").source());
        assertEquals("delete", d.get("cleanup.policy").value());
        assertEquals(ConfigEntry.SOURCE_DEFAULT, d.get("cleanup.policy").source());
        assertTrue(d.get("cleanup.policy").isDefault());
        assertTrue(d.keySet().containsAll(List.of("max.message.bytes", "segment.ms", "retention.bytes",
                "index.interval.bytes", "segment.index.bytes", "flush.messages", "flush.ms", "delete.retention.ms")));
        assertNull(b.topicAdmin().describeTopicConfig("nope"));

        TopicAdmin admin = b.topicAdmin();
        assertEquals(Errors.INVALID_CONFIG, admin.alterTopicConfig("t", Map.of("retention.ms", "-7"), true, false).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                admin.alterTopicConfig("nope", Map.of("retention.ms", "1"), true, false).error());
        assertEquals(ApiError.NONE, admin.alterTopicConfig("t", Map.of("retention.ms", "1000"), true, false));
        Partition p = b.registry().get(new TopicPartition("t", 0));
        assertEquals("applied live to the open log", 1000, p.log().config().retentionMs());
        assertEquals(1048576, p.log().config().segmentBytes());
        HashMap<String, String> removeSegment = new HashMap<>();
        removeSegment.put("segment.bytes", null);
        assertEquals(ApiError.NONE, admin.alterTopicConfig("t", removeSegment, true, false));
        assertEquals(1073741824, p.log().config().segmentBytes());
        assertEquals(Map.of("retention.ms", "1000"), b.clusterView().topic("t").orElseThrow().configs());
        assertEquals(ApiError.NONE, admin.alterTopicConfig("t", Map.of("flush.ms", "5"), false, false));
        assertEquals("non-incremental replaces all overrides", Map.of("flush.ms", "5"),
                b.clusterView().topic("t").orElseThrow().configs());
        assertEquals(ApiError.NONE, admin.alterTopicConfig("t", Map.of("retention.ms", "9"), true, true));
        assertEquals(Map.of("flush.ms", "5"), b.clusterView().topic("t").orElseThrow().configs());
    }

    @Test
    public void describeBrokerConfigListsEveryKey() throws Exception {
        BrokerServer b = broker(Map.of("num.partitions", 6));
        Map<String, ConfigEntry> d = byName(b.topicAdmin().describeBrokerConfig());
        assertEquals("6", d.get("num.partitions").value());
        assertEquals(ConfigEntry.SOURCE_STATIC_BROKER, d.get("num.partitions").source());
        assertEquals(ConfigEntry.SOURCE_DEFAULT, d.get("message.max.bytes").source());
        assertTrue(d.keySet().containsAll(List.of("broker.id", "log.dirs", "log.retention.hours",
                "log.retention.check.interval.ms", "min.insync.replicas", "coordinator.target")));
    }

    private static Map<String, ConfigEntry> byName(List<ConfigEntry> entries) {
        return entries.stream().collect(Collectors.toMap(ConfigEntry::name, e -> e));
    }
}
