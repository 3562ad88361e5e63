package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.TestBroker;

/** Malformed and unsupported requests close only their own connection; the server keeps serving. */
public class BadInputTest {

    private static final int MAX_REQUEST = 1024 * 1024;
    private static TestBroker broker;

    @BeforeClass
    public static void start() throws Exception {
        broker = new TestBroker(MAX_REQUEST, 600_000);
        broker.cluster.createTopic("bad-input", 1, (short) 1, Map.of(), Map.of(), false);
    }

    @AfterClass
    public static void stop() throws Exception {
        broker.close();
    }

    @Test
    public void oversizedFrameClosesTheConnectionWithAWarningNamingClientAndSize() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String local;
        try (RawClient client = new RawClient(broker.address())) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            client.sendRaw(ByteBuffer.allocate(4).putInt(MAX_REQUEST + 1).array());
            assertTrue(client.closedByServer(5000));
            local = client.localAddress();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log, log.contains("WARN") && log.contains(local) && log.contains(String.valueOf(MAX_REQUEST + 1)));
        assertServerStillWorks();
    }

    @Test
    public void negativeSizeClosesTheConnection() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            client.sendRaw(ByteBuffer.allocate(4).putInt(-7).array());
            assertTrue(client.closedByServer(5000));
        }
        assertServerStillWorks();
    }

    @Test
    public void truncatedFrameClosesTheConnection() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            client.sendRaw(ByteBuffer.allocate(14).putInt(100).put(new byte[10]).array());
            client.shutdownOutput();
            assertTrue(client.closedByServer(5000));
        }
        assertServerStillWorks();
    }

    @Test
    public void unknownApiKeyClosesTheConnection() throws Exception {
        closesAfter(RawClient.header((short) 999, (short) 0, 1, false));
        // LeaderAndIsr is a real key that brokers of Kafka 4 no longer serve.
        closesAfter(RawClient.header(ApiKeys.LEADER_AND_ISR.id, (short) 0, 1, false));
    }

    @Test
    public void unsupportedVersionsCloseTheConnection() throws Exception {
        closesAfter(RawClient.header(ApiKeys.METADATA.id, (short) 99, 1, true));
        // Advertised from 0 for librdkafka's sake, but only v3+ is served, as in Kafka 4.
        closesAfter(RawClient.header(ApiKeys.PRODUCE.id, (short) 2, 1, false));
        closesAfter(RawClient.header(ApiKeys.OFFSET_COMMIT.id, (short) 10, 1, true));
    }

    @Test
    public void garbageBodyClosesTheConnection() throws Exception {
        byte[] header = RawClient.header(ApiKeys.METADATA.id, (short) 12, 1, true);
        closesAfter(RawClient.concat(header, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}));
        closesAfter(new byte[] {0, 3});
    }

    @Test
    public void unsupportedApiVersionsIsAnsweredInVersionZero() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            client.sendFrame(RawClient.header(ApiKeys.API_VERSIONS.id, (short) 127, 41, true));
            ByteBuffer frame = ByteBuffer.wrap(client.readFrame());
            assertEquals(41, ResponseHeader.parse(frame, (short) 0).correlationId());
            ApiVersionsResponseData response = new ApiVersionsResponseData(new ByteBufferAccessor(frame), (short) 0);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), response.errorCode());
            ApiVersion apiVersions = response.apiKeys().find(ApiKeys.API_VERSIONS.id);
            assertEquals(0, apiVersions.minVersion());
            assertEquals(4, apiVersions.maxVersion());
            assertNotNull(response.apiKeys().find(ApiKeys.FETCH.id));
            // The connection stays open for the retry at a version both speak.
            ApiVersionsResponseData retry = (ApiVersionsResponseData) client.call(ApiKeys.API_VERSIONS, (short) 4,
                    new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertEquals(Errors.NONE.code(), retry.errorCode());
        }
    }

    @Test
    public void invalidClientSoftwareNameIsRefused() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            ApiVersionsResponseData response = (ApiVersionsResponseData) client.call(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("no spaces!").setClientSoftwareVersion("1"));
            assertEquals(Errors.INVALID_REQUEST.code(), response.errorCode());
        }
    }

    @Test
    public void produceWithAcksZeroIsNotAnsweredAndAnErrorClosesTheConnection() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            client.send(ApiKeys.PRODUCE, (short) 9, produce("bad-input", (short) 0));
            int id = client.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(List.of()));
            MetadataResponseData metadata = (MetadataResponseData) client.receive(ApiKeys.METADATA, (short) 12, id);
            assertEquals(1, metadata.brokers().size());
            long end = broker.partitions.listOffset(new TopicPartition("bad-input", 0), -1, null).offset();
            assertEquals(1, end);

            client.send(ApiKeys.PRODUCE, (short) 9, produce("no-such-topic", (short) 0));
            assertTrue(client.closedByServer(5000));
        }
    }

    @Test
    public void produceValidationErrorsArePerPartition() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            ProduceRequestData transactional = produce("bad-input", (short) 1).setTransactionalId("tx");
            ProduceResponseData response = (ProduceResponseData) client.call(ApiKeys.PRODUCE, (short) 9, transactional);
            ProduceResponseData.PartitionProduceResponse partition = response.responses().iterator().next()
                    .partitionResponses().get(0);
            assertEquals(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT.code(), partition.errorCode());
            assertTrue(partition.errorMessage().contains("Transactions"));

            ProduceRequestData badAcks = produce("bad-input", (short) 2);
            response = (ProduceResponseData) client.call(ApiKeys.PRODUCE, (short) 9, badAcks);
            assertEquals(Errors.INVALID_REQUIRED_ACKS.code(),
                    response.responses().iterator().next().partitionResponses().get(0).errorCode());
        }
    }

    @Test
    public void idleConnectionsAreClosed() throws Exception {
        try (TestBroker idle = new TestBroker(MAX_REQUEST, 300); RawClient client = new RawClient(idle.address())) {
            assertTrue(client.closedByServer(5000));
        }
    }

    static ProduceRequestData produce(String topic, short acks) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        return new ProduceRequestData().setAcks(acks).setTimeoutMs(5000).setTopicData(topics);
    }

    private static void closesAfter(byte[] frame) throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            client.sendFrame(frame);
            assertTrue("connection closed", client.closedByServer(5000));
        }
        assertServerStillWorks();
    }

    private static void assertServerStillWorks() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            ApiVersionsResponseData versions = (ApiVersionsResponseData) client.call(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertEquals(Errors.NONE.code(), versions.errorCode());
            MetadataResponseData metadata = (MetadataResponseData) client.call(ApiKeys.METADATA, (short) 12,
                    new MetadataRequestData().setTopics(null));
            assertFalse(metadata.topics().isEmpty());
        }
    }
}
