package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Malformed, truncated, oversized and otherwise wrong requests sent over raw sockets to the
 * assembled runtime. Each gets Kafka's error code or a closed connection, and afterwards the
 * broker still serves a normal client and still holds what it had stored.
 */
public class BadInputIT {

    private static final int MAX_REQUEST = 1024 * 1024;
    private static final String TOPIC = "bad-input";

    private static SamsaProcess samsa;

    @BeforeClass
    public static void startBroker() throws Exception {
        samsa = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-bad-input"),
                Map.of("socket.request.max.bytes", Integer.toString(MAX_REQUEST))).start();
        KafkaClients.createTopic(samsa.bootstrap(), TOPIC, 1);
        try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(), Map.of())) {
            p.send(new ProducerRecord<>(TOPIC, "stored-before")).get();
        }
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (samsa != null) {
            samsa.close();
        }
    }

    private Socket socket;
    private DataOutputStream out;
    private DataInputStream in;

    @Before
    public void connect() throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), samsa.kafkaPort);
        socket.setSoTimeout(30_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    @Test
    public void oversizedFrameClosesTheConnection() throws Exception {
        out.writeInt(MAX_REQUEST + 1);
        out.write(new byte[1024]);
        out.flush();
        assertClosedByBroker();
        assertBrokerStillServes();
    }

    @Test
    public void negativeFrameSizeClosesTheConnection() throws Exception {
        out.writeInt(-5);
        out.flush();
        assertClosedByBroker();
        assertBrokerStillServes();
    }

    @Test
    public void truncatedFrameThenHangUpLeavesBrokerServing() throws Exception {
        out.writeInt(100);
        out.write(new byte[] {0, 18, 0, 3});
        out.flush();
        socket.close();
        assertBrokerStillServes();
    }

    @Test
    public void unknownApiKeyClosesTheConnection() throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(12);
        frame.putShort((short) 9999).putShort((short) 0).putInt(7).putShort((short) -1).putShort((short) 0);
        sendFrame(frame.array());
        assertClosedByBroker();
        assertBrokerStillServes();
    }

    @Test
    public void unsupportedMetadataVersionClosesTheConnection() throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(16);
        frame.putShort(ApiKeys.METADATA.id).putShort((short) 999).putInt(8).putShort((short) -1).putInt(-1);
        sendFrame(frame.array());
        assertClosedByBroker();
        assertBrokerStillServes();
    }

    @Test
    public void unsupportedApiVersionsVersionIsAnsweredWithUnsupportedVersion() throws Exception {
        // Kafka answers an ApiVersions request it cannot parse at its version in the v0 format,
        // so that any client learns which versions to use.
        ByteBuffer frame = ByteBuffer.allocate(11);
        // A flexible (v2) request header: null client id, then an empty tagged-field section.
        frame.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 999).putInt(9).putShort((short) -1).put((byte) 0);
        sendFrame(frame.array());
        ByteBuffer response = readFrame();
        assertEquals("correlation id", 9, response.getInt());
        ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(response), (short) 0);
        assertEquals(Errors.UNSUPPORTED_VERSION.code(), data.errorCode());
        assertTrue("the answer lists supported versions", data.apiKeys().find(ApiKeys.PRODUCE.id) != null);
        assertBrokerStillServes();
    }

    @Test
    public void garbageBodyClosesTheConnection() throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(40);
        frame.putShort(ApiKeys.PRODUCE.id).putShort((short) 9).putInt(10).putShort((short) -1);
        while (frame.hasRemaining()) {
            frame.put((byte) 0x7f);
        }
        sendFrame(frame.array());
        assertClosedByBroker();
        assertBrokerStillServes();
    }

    @Test
    public void batchWithBadCrcGetsCorruptMessageAndNothingIsLost() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("corrupt-me".getBytes()));
        ByteBuffer batch = records.buffer();
        batch.put(batch.limit() - 2, (byte) (batch.get(batch.limit() - 2) ^ 0x55)); // a record byte, under the CRC
        ProduceResponseData response = produce(TOPIC, 0, MemoryRecords.readableRecords(batch));
        assertEquals(Errors.CORRUPT_MESSAGE.code(), partitionError(response));
        assertBrokerStillServes();
    }

    @Test
    public void produceToMissingPartitionGetsUnknownTopicOrPartition() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes()));
        ProduceResponseData response = produce(TOPIC, 42, records);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), partitionError(response));
        assertBrokerStillServes();
    }

    private ProduceResponseData produce(String topic, int partition, MemoryRecords records) throws IOException {
        short version = 9;
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(topic);
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records));
        data.topicData().add(t);
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "bad-input-test", 11);
        sendFrame(serialize(header, data, version));
        ByteBuffer response = readFrame();
        ResponseHeader.parse(response, ApiKeys.PRODUCE.responseHeaderVersion(version));
        return new ProduceResponseData(new ByteBufferAccessor(response), version);
    }

    private static short partitionError(ProduceResponseData r) {
        return r.responses().iterator().next().partitionResponses().get(0).errorCode();
    }

    private static byte[] serialize(RequestHeader header, Message body, short version) {
        ByteBuffer b = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private void sendFrame(byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
    }

    private ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        byte[] b = new byte[size];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    private void assertClosedByBroker() throws IOException {
        try {
            int r = in.read();
            assertEquals("the broker closed the connection", -1, r);
        } catch (EOFException | SocketException closed) {
            // reset by the broker: closed as well
        }
    }

    /** A normal client still produces and consumes, and the record stored before is still there. */
    private static void assertBrokerStillServes() throws Exception {
        String marker = "after-" + System.nanoTime();
        try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(), Map.of())) {
            p.send(new ProducerRecord<>(TOPIC, marker)).get();
        }
        try (KafkaConsumer<String, String> c = KafkaClients.consumer(samsa.bootstrap(), null, Map.of())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean sawBefore = false;
            boolean sawMarker = false;
            while (!(sawBefore && sawMarker) && System.nanoTime() < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    sawBefore |= "stored-before".equals(r.value());
                    sawMarker |= marker.equals(r.value());
                    assertTrue("no corrupt record was stored", !"corrupt-me".equals(r.value()));
                }
            }
            assertTrue("the record stored before the bad input is still there", sawBefore);
            assertTrue("a new record can be produced and consumed", sawMarker);
        }
        assertTrue("broker process alive", samsa.isAlive());
    }
}
