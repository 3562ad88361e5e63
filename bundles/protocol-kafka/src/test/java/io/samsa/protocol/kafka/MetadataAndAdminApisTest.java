package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.TestBroker;

/** Metadata, topic and config APIs, including the error answers real clients rarely provoke. */
public class MetadataAndAdminApisTest {

    private TestBroker broker;
    private RawClient client;

    @Before
    public void start() throws Exception {
        broker = new TestBroker();
        broker.cluster.createTopic("known", 2, (short) 1, Map.of(), Map.of("retention.ms", "5000"), false);
        client = new RawClient(broker.address());
    }

    @After
    public void stop() throws Exception {
        client.close();
        broker.close();
    }

    @Test
    public void metadataDescribesBrokersAndTopics() throws Exception {
        MetadataResponseData all = metadata((short) 13, null, false);
        assertEquals("samsa-test-cluster", all.clusterId());
        assertEquals(0, all.controllerId());
        assertEquals(broker.port(), all.brokers().find(0).port());
        MetadataResponseTopic known = all.topics().find("known");
        assertEquals(broker.cluster.topic("known").get().topicId(), known.topicId());
        assertEquals(2, known.partitions().size());
        assertEquals(0, known.partitions().get(1).leaderId());
        assertEquals(List.of(0), known.partitions().get(1).isrNodes());
        assertEquals(Integer.MIN_VALUE, known.topicAuthorizedOperations());

        // v0: an empty list means every topic; from v1 it means none.
        assertEquals(1, metadata((short) 0, List.of(), true).topics().size());
        assertEquals(0, metadata((short) 1, List.of(), true).topics().size());
    }

    @Test
    public void metadataErrorsAndAutoCreation() throws Exception {
        MetadataResponseData response = metadata((short) 12, List.of("missing", "bad name!"), false);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), response.topics().find("missing").errorCode());
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), response.topics().find("bad name!").errorCode());
        assertTrue(broker.cluster.topic("missing").isEmpty());

        MetadataResponseData created = metadata((short) 12, List.of("made-on-demand"), true);
        assertEquals(Errors.NONE.code(), created.topics().find("made-on-demand").errorCode());
        assertEquals(1, created.topics().find("made-on-demand").partitions().size());

        broker.cluster.setAutoCreate(false);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                metadata((short) 12, List.of("still-missing"), true).topics().find("still-missing").errorCode());
    }

    @Test
    public void metadataByTopicId() throws Exception {
        Uuid id = broker.cluster.topic("known").get().topicId();
        Uuid unknown = Uuid.randomUuid();
        MetadataRequestData request = new MetadataRequestData().setIncludeTopicAuthorizedOperations(true)
                .setTopics(List.of(new MetadataRequestTopic().setTopicId(id).setName(null),
                        new MetadataRequestTopic().setTopicId(unknown).setName(null)));
        MetadataResponseData response = (MetadataResponseData) client.call(ApiKeys.METADATA, (short) 12, request);
        MetadataResponseTopic first = response.topics().find("known");
        assertEquals(id, first.topicId());
        assertNotEquals(Integer.MIN_VALUE, first.topicAuthorizedOperations());
        MetadataResponseTopic second = response.topics().stream().filter(t -> unknown.equals(t.topicId()))
                .findFirst().get();
        assertNull(second.name());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), second.errorCode());
    }

    @Test
    public void createTopicsReportsPerTopicErrorsAndDetails() throws Exception {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(1000);
        request.topics().add(new CreatableTopic().setName("twice").setNumPartitions(1).setReplicationFactor((short) 1));
        request.topics().add(new CreatableTopic().setName("twice").setNumPartitions(1).setReplicationFactor((short) 1));
        request.topics().add(new CreatableTopic().setName("known").setNumPartitions(1).setReplicationFactor((short) 1));
        request.topics().add(new CreatableTopic().setName("fresh").setNumPartitions(3).setReplicationFactor((short) -1));
        CreateTopicsResponseData response = (CreateTopicsResponseData) client.call(ApiKeys.CREATE_TOPICS, (short) 7,
                request);
        List<CreateTopicsResponseData.CreatableTopicResult> results = List.copyOf(response.topics());
        assertEquals(Errors.INVALID_REQUEST.code(), results.get(0).errorCode());
        assertEquals(Errors.INVALID_REQUEST.code(), results.get(1).errorCode());
        assertEquals(Errors.TOPIC_ALREADY_EXISTS.code(), results.get(2).errorCode());
        assertTrue(results.get(2).errorMessage().contains("already exists"));
        CreateTopicsResponseData.CreatableTopicResult fresh = results.get(3);
        assertEquals(Errors.NONE.code(), fresh.errorCode());
        assertEquals(3, fresh.numPartitions());
        assertEquals(1, fresh.replicationFactor());
        assertEquals(broker.cluster.topic("fresh").get().topicId(), fresh.topicId());
        assertTrue(fresh.configs().stream().anyMatch(c -> c.name().equals("cleanup.policy")));

        CreateTopicsRequestData validate = new CreateTopicsRequestData().setValidateOnly(true);
        validate.topics().add(new CreatableTopic().setName("dry").setNumPartitions(-1).setReplicationFactor((short) -1));
        CreateTopicsResponseData dry = (CreateTopicsResponseData) client.call(ApiKeys.CREATE_TOPICS, (short) 5,
                validate);
        assertEquals(1, dry.topics().find("dry").numPartitions());
        assertTrue(broker.cluster.topic("dry").isEmpty());
    }

    @Test
    public void deleteTopicsByNameAndId() throws Exception {
        Uuid id = broker.cluster.topic("known").get().topicId();
        Uuid unknown = Uuid.randomUuid();
        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTopics(List.of(
                new DeleteTopicState().setTopicId(id), new DeleteTopicState().setTopicId(unknown),
                new DeleteTopicState().setName("nope")));
        DeleteTopicsResponseData response = (DeleteTopicsResponseData) client.call(ApiKeys.DELETE_TOPICS, (short) 6,
                request);
        List<DeleteTopicsResponseData.DeletableTopicResult> results = List.copyOf(response.responses());
        assertEquals("known", results.get(0).name());
        assertEquals(Errors.NONE.code(), results.get(0).errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), results.get(1).errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.get(2).errorCode());
        assertTrue(broker.cluster.topic("known").isEmpty());
    }

    @Test
    public void offsetForLeaderEpochAnswersPerPartition() throws Exception {
        for (short version = 2; version <= 4; version++) {
            OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic known =
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("known");
            known.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                    .setPartition(0).setCurrentLeaderEpoch(0).setLeaderEpoch(0));
            known.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                    .setPartition(1).setCurrentLeaderEpoch(7).setLeaderEpoch(0));
            request.topics().add(known);
            request.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("missing")
                    .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                            .setPartition(0).setLeaderEpoch(0))));
            OffsetForLeaderEpochResponseData response = (OffsetForLeaderEpochResponseData) client.call(
                    ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, request);
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult knownResult = response.topics().find("known");
            assertEquals("v" + version, Errors.NONE.code(), knownResult.partitions().get(0).errorCode());
            assertEquals(0, knownResult.partitions().get(0).leaderEpoch());
            assertEquals(0, knownResult.partitions().get(0).endOffset());
            assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), knownResult.partitions().get(1).errorCode());
            assertEquals(-1, knownResult.partitions().get(1).endOffset());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    response.topics().find("missing").partitions().get(0).errorCode());
        }
    }

    @Test
    public void describeConfigsFiltersAndRefusesOtherBrokers() throws Exception {
        DescribeConfigsRequestData request = new DescribeConfigsRequestData().setIncludeSynonyms(true)
                .setResources(List.of(
                        resource(ConfigResource.Type.TOPIC, "known", List.of("retention.ms")),
                        resource(ConfigResource.Type.TOPIC, "missing", null),
                        resource(ConfigResource.Type.BROKER, "7", null),
                        resource(ConfigResource.Type.BROKER_LOGGER, "0", null)));
        DescribeConfigsResponseData response = (DescribeConfigsResponseData) client.call(ApiKeys.DESCRIBE_CONFIGS,
                (short) 4, request);
        DescribeConfigsResult topic = response.results().get(0);
        assertEquals(1, topic.configs().size());
        assertEquals("5000", topic.configs().get(0).value());
        assertEquals(1, topic.configs().get(0).configSource());
        assertEquals("retention.ms", topic.configs().get(0).synonyms().get(0).name());
        assertNull(topic.configs().get(0).documentation());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), response.results().get(1).errorCode());
        assertEquals(Errors.INVALID_REQUEST.code(), response.results().get(2).errorCode());
        assertTrue(response.results().get(2).errorMessage().contains("expected 0"));
        assertEquals(Errors.INVALID_REQUEST.code(), response.results().get(3).errorCode());
    }

    @Test
    public void alterConfigsChangesTopicsOnly() throws Exception {
        AlterConfigsRequestData request = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource topic = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("known");
        topic.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("segment.bytes").setValue("2000000"));
        request.resources().add(topic);
        request.resources().add(new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("0"));
        AlterConfigsResponseData response = (AlterConfigsResponseData) client.call(ApiKeys.ALTER_CONFIGS, (short) 2,
                request);
        List<AlterConfigsResponseData.AlterConfigsResourceResponse> results = List.copyOf(response.responses());
        assertEquals(Errors.NONE.code(), results.get(0).errorCode());
        assertEquals(Map.of("segment.bytes", "2000000"), broker.cluster.topic("known").get().configs());
        assertEquals(Errors.INVALID_REQUEST.code(), results.get(1).errorCode());

        IncrementalAlterConfigsRequestData incremental = new IncrementalAlterConfigsRequestData();
        IncrementalAlterConfigsRequestData.AlterConfigsResource twice =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("known");
        twice.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                .setConfigOperation((byte) 0).setValue("1"));
        twice.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                .setConfigOperation((byte) 1));
        incremental.resources().add(twice);
        IncrementalAlterConfigsResponseData result = (IncrementalAlterConfigsResponseData) client.call(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, incremental);
        assertEquals(Errors.INVALID_CONFIG.code(), result.responses().iterator().next().errorCode());
        assertEquals("2000000", broker.cluster.topic("known").get().configs().get("segment.bytes"));
    }

    @Test
    public void describeClusterServesBrokerEndpointsOnly() throws Exception {
        DescribeClusterResponseData response = (DescribeClusterResponseData) client.call(ApiKeys.DESCRIBE_CLUSTER,
                (short) 1, new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true));
        assertEquals(Errors.NONE.code(), response.errorCode());
        assertEquals(broker.port(), response.brokers().find(0).port());
        assertNotEquals(Integer.MIN_VALUE, response.clusterAuthorizedOperations());
        DescribeClusterResponseData controllers = (DescribeClusterResponseData) client.call(ApiKeys.DESCRIBE_CLUSTER,
                (short) 1, new DescribeClusterRequestData().setEndpointType((byte) 2));
        assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE.code(), controllers.errorCode());
    }

    @Test
    public void describeTopicPartitionsPagesInNameOrderWithACursor() throws Exception {
        broker.cluster.createTopic("alpha", 3, (short) 1, Map.of(), Map.of(), false);
        DescribeTopicPartitionsRequestData request = new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(2);
        for (String name : List.of("known", "missing", "alpha")) {
            request.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(name));
        }
        DescribeTopicPartitionsResponseData first = describeTopicPartitions(request);
        assertEquals(List.of("alpha"), first.topics().stream().map(t -> t.name()).toList());
        assertEquals(List.of(0, 1), first.topics().find("alpha").partitions().stream().map(p -> p.partitionIndex()).toList());
        assertEquals(broker.cluster.topic("alpha").get().topicId(), first.topics().find("alpha").topicId());
        assertEquals("alpha", first.nextCursor().topicName());
        assertEquals(2, first.nextCursor().partitionIndex());

        request.setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName("alpha").setPartitionIndex(2));
        DescribeTopicPartitionsResponseData second = describeTopicPartitions(request);
        assertEquals(List.of("alpha", "known"), second.topics().stream().map(t -> t.name()).toList());
        assertEquals(List.of(2), second.topics().find("alpha").partitions().stream().map(p -> p.partitionIndex()).toList());
        assertEquals(List.of(0), second.topics().find("known").partitions().stream().map(p -> p.partitionIndex()).toList());
        assertEquals(List.of(0), second.topics().find("known").partitions().get(0).isrNodes());
        assertEquals("known", second.nextCursor().topicName());
        assertEquals(1, second.nextCursor().partitionIndex());

        request.setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName("known").setPartitionIndex(1));
        DescribeTopicPartitionsResponseData last = describeTopicPartitions(request);
        assertEquals(List.of("known", "missing"), last.topics().stream().map(t -> t.name()).toList());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), last.topics().find("missing").errorCode());
        assertNull("nothing left", last.nextCursor());

        // An empty list is every topic.
        DescribeTopicPartitionsResponseData all = describeTopicPartitions(new DescribeTopicPartitionsRequestData());
        assertEquals(List.of("alpha", "known"), all.topics().stream().map(t -> t.name()).toList());
        assertNull(all.nextCursor());
    }

    @Test
    public void describeTopicPartitionsRefusesACursorOutsideTheRequest() throws Exception {
        DescribeTopicPartitionsRequestData request = new DescribeTopicPartitionsRequestData()
                .setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName("other").setPartitionIndex(0));
        request.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("known"));
        DescribeTopicPartitionsResponseData response = describeTopicPartitions(request);
        assertTrue(response.topics().stream().allMatch(t -> t.errorCode() == Errors.INVALID_REQUEST.code()));
        assertTrue("the request is answered as a whole error, not served: " + response,
                response.topics().stream().allMatch(t -> t.partitions().isEmpty()));
    }

    private DescribeTopicPartitionsResponseData describeTopicPartitions(DescribeTopicPartitionsRequestData request)
            throws Exception {
        return (DescribeTopicPartitionsResponseData) client.call(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, (short) 0, request);
    }

    private MetadataResponseData metadata(short version, List<String> topics, boolean autoCreate) throws Exception {
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(autoCreate)
                .setTopics(topics == null ? null
                        : topics.stream().map(t -> new MetadataRequestTopic().setName(t)).toList());
        return (MetadataResponseData) client.call(ApiKeys.METADATA, version, request);
    }

    private static DescribeConfigsResource resource(ConfigResource.Type type, String name, List<String> keys) {
        return new DescribeConfigsResource().setResourceType(type.id()).setResourceName(name)
                .setConfigurationKeys(keys);
    }
}
