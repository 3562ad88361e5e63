package io.samsa.protocol.kafka;

import static io.samsa.protocol.kafka.ConnectionLimitsTest.closeAll;
import static io.samsa.protocol.kafka.ConnectionLimitsTest.served;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.Test;

import io.samsa.api.broker.Caller;
import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.SimpleGroupCoordinator;
import io.samsa.protocol.kafka.testkit.TestBroker;
import io.samsa.testsupport.Poll;

/**
 * The request pipeline: parked requests hold no handler thread, a client that never reads is
 * muted without hurting others, threads do not grow with connections, and resizing the thread
 * pools live closes no connection.
 */
public class RequestPipelineTest {

    private static final short FETCH_VERSION = 12;

    @Test
    public void parkedLongPollsAndAJoinGroupHoldNoHandlerThread() throws Exception {
        CompletableFuture<JoinGroupResponseData> parkedJoin = new CompletableFuture<>();
        SimpleGroupCoordinator groups = new SimpleGroupCoordinator() {
            @Override
            public synchronized CompletableFuture<JoinGroupResponseData> joinGroup(Caller caller,
                    JoinGroupRequestData request) {
                return request.groupId().equals("parked") ? parkedJoin : super.joinGroup(caller, request);
            }
        };
        List<RawClient> polling = new ArrayList<>();
        try (TestBroker broker = new TestBroker(Map.of("num.io.threads", 1), groups);
                RawClient joining = new RawClient(broker.address());
                RawClient probe = new RawClient(broker.address())) {
            broker.cluster.createTopic("quiet", 1, (short) 1, Map.of(), Map.of(), false);
            List<Integer> pollIds = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                RawClient client = new RawClient(broker.address());
                polling.add(client);
                pollIds.add(client.send(ApiKeys.FETCH, FETCH_VERSION, fetch("quiet", 0, 60_000, 1)));
            }
            JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
            int joinId = joining.send(ApiKeys.JOIN_GROUP, (short) 9, new JoinGroupRequestData().setGroupId("parked")
                    .setMemberId("").setProtocolType("consumer").setSessionTimeoutMs(30_000)
                    .setRebalanceTimeoutMs(30_000).setProtocols(protocols));
            Poll.until("the long polls are parked", () -> broker.partitions.fetches() == 20);

            // The single handler thread is free: Metadata is answered while all of them wait.
            MetadataResponseData metadata = (MetadataResponseData) probe.call(ApiKeys.METADATA, (short) 12,
                    new MetadataRequestData().setTopics(null));
            assertTrue(metadata.topics().stream().anyMatch(t -> t.name().equals("quiet")));

            parkedJoin.complete(new JoinGroupResponseData().setMemberId("m-1").setGenerationId(1));
            JoinGroupResponseData joined = (JoinGroupResponseData) joining.receive(ApiKeys.JOIN_GROUP, (short) 9, joinId);
            assertEquals("m-1", joined.memberId());
            // A record ends every long poll, each answered on its own connection.
            broker.partitions.append(Map.of(new TopicPartition("quiet", 0), records(10)), (short) 1, 5000, false);
            for (int i = 0; i < polling.size(); i++) {
                FetchResponseData answer = (FetchResponseData) polling.get(i).receive(ApiKeys.FETCH, FETCH_VERSION,
                        pollIds.get(i));
                assertEquals(Errors.NONE.code(), answer.responses().get(0).partitions().get(0).errorCode());
            }
        } finally {
            closeAll(polling);
        }
    }

    @Test
    public void aClientThatNeverReadsIsMutedAndOthersAreServed() throws Exception {
        try (TestBroker broker = new TestBroker(Map.of("num.io.threads", 2, "num.network.threads", 1));
                RawClient slow = new RawClient(broker.address());
                RawClient other = new RawClient(broker.address())) {
            broker.cluster.createTopic("big", 1, (short) 1, Map.of(), Map.of(), false);
            broker.partitions.append(Map.of(new TopicPartition("big", 0), records(900 * 1024)), (short) 1, 5000, false);
            AtomicInteger sent = new AtomicInteger();
            int[] firstIds = new int[10];
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) {
                        int id = slow.send(ApiKeys.FETCH, FETCH_VERSION, fetch("big", 0, 0, 0));
                        if (i < firstIds.length) {
                            firstIds[i] = id;
                        }
                        sent.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test closed the socket while the writer was blocked: expected
                }
            }, "pipelining-writer");
            writer.setDaemon(true);
            writer.start();
            Poll.until("the slow client has pipelined requests", () -> sent.get() >= 2000);

            for (int i = 0; i < 50; i++) {
                served(other);
            }
            long servedForSlow = broker.partitions.fetches();
            // Each ~900 KB reply fills the socket buffers; muted, the broker reads nothing more.
            assertTrue("the broker served " + servedForSlow + " of " + sent.get() + " pipelined fetches",
                    servedForSlow < 100);

            // Replies come out whole, in request order, through partial non-blocking writes.
            long before = broker.partitions.bytesTransferredToSockets();
            for (int id : firstIds) {
                FetchResponseData answer = (FetchResponseData) slow.receive(ApiKeys.FETCH, FETCH_VERSION, id);
                assertTrue(answer.responses().get(0).partitions().get(0).records().sizeInBytes() > 900 * 1024);
            }
            assertTrue("zero-copy writes", broker.partitions.bytesTransferredToSockets() > before);
            slow.close();
            writer.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(writer.isAlive());
            served(other);
        }
    }

    @Test
    public void threadCountDoesNotGrowWithConnections() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try (TestBroker broker = new TestBroker(Map.of())) {
            try (RawClient warm = served(new RawClient(broker.address()))) {
                assertNotNull(warm);
            }
            Poll.until("warm-up connection closed", () -> broker.server.socketServer().connectionCount() == 0);
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            for (int i = 0; i < 500; i++) {
                Socket socket = new Socket();
                socket.connect(broker.address(), 5000);
                sockets.add(socket);
            }
            Poll.until("500 connections accepted", () -> broker.server.socketServer().connectionCount() == 500);
            try (RawClient client = served(new RawClient(broker.address()))) {
                int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
                assertTrue(threadsBefore + " threads before, " + threadsAfter + " with 500 more connections",
                        threadsAfter <= threadsBefore + 5);
            }
        } finally {
            closeAll(sockets);
        }
    }

    @Test
    public void resizingThreadPoolsLiveKeepsConnectionsOpenAndWorking() throws Exception {
        List<RawClient> clients = new ArrayList<>();
        Properties props = new Properties();
        try (TestBroker broker = new TestBroker(Map.of("num.network.threads", 3, "num.io.threads", 4))) {
            broker.cluster.createTopic("resized", 1, (short) 1, Map.of(), Map.of(), false);
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                producer.send(new ProducerRecord<>("resized", "k", "before")).get(20, TimeUnit.SECONDS);
                for (int i = 0; i < 20; i++) {
                    clients.add(served(new RawClient(broker.address())));
                }
                int open = broker.server.socketServer().connectionCount();
                int[][] sizes = {{1, 1}, {5, 8}, {2, 2}};
                for (int[] size : sizes) {
                    broker.reconfigure(Map.of("num.network.threads", size[0], "num.io.threads", size[1]));
                    assertEquals(size[0], broker.server.socketServer().networkThreads());
                    assertEquals(size[1], broker.server.socketServer().ioThreads());
                    for (RawClient client : clients) {
                        served(client);
                    }
                    producer.send(new ProducerRecord<>("resized", "k", "after " + size[0])).get(20, TimeUnit.SECONDS);
                    assertEquals("no connection closed by the resize", open,
                            broker.server.socketServer().connectionCount());
                }
                Poll.until("retired network threads are gone", () -> Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("kafka-network-thread-")).count() <= 2);
            }
        } finally {
            closeAll(clients);
        }
    }

    /**
     * A retiring network thread hands over connections whose request is still with the broker:
     * the reply, completed after the move, reaches the client through its new network thread.
     */
    @Test
    public void requestsInFlightSurviveTheRetirementOfTheirNetworkThread() throws Exception {
        List<RawClient> polling = new ArrayList<>();
        try (TestBroker broker = new TestBroker(Map.of("num.network.threads", 4, "num.io.threads", 2))) {
            broker.cluster.createTopic("retiring", 1, (short) 1, Map.of(), Map.of(), false);
            List<Integer> pollIds = new ArrayList<>();
            // Connections are spread round-robin, so every network thread holds some of them.
            for (int i = 0; i < 12; i++) {
                RawClient client = new RawClient(broker.address());
                polling.add(client);
                pollIds.add(client.send(ApiKeys.FETCH, FETCH_VERSION, fetch("retiring", 0, 60_000, 1)));
            }
            Poll.until("the long polls are parked", () -> broker.partitions.fetches() == 12);

            broker.reconfigure(Map.of("num.network.threads", 1));
            Poll.until("three network threads retired", () -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("kafka-network-thread-")).count() <= 1);
            assertEquals("no connection closed by the retirement", 12,
                    broker.server.socketServer().connectionCount());

            broker.partitions.append(Map.of(new TopicPartition("retiring", 0), records(10)), (short) 1, 5000, false);
            for (int i = 0; i < polling.size(); i++) {
                FetchResponseData answer = (FetchResponseData) polling.get(i).receive(ApiKeys.FETCH, FETCH_VERSION,
                        pollIds.get(i));
                assertEquals(Errors.NONE.code(), answer.responses().get(0).partitions().get(0).errorCode());
                assertTrue("poll " + i + " got the record",
                        answer.responses().get(0).partitions().get(0).records().sizeInBytes() > 0);
                // and the connection keeps working on the remaining thread
                served(polling.get(i));
            }
        } finally {
            closeAll(polling);
        }
    }

    private static FetchRequestData fetch(String topic, long offset, int maxWaitMs, int minBytes) {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes).setMaxBytes(1024 * 1024).setSessionId(0).setSessionEpoch(-1);
        request.topics().add(new FetchTopic().setTopic(topic).setPartitions(List.of(new FetchPartition()
                .setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(1024 * 1024))));
        return request;
    }

    private static ByteBuffer records(int valueBytes) {
        byte[] value = new byte[valueBytes];
        return MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), value)).buffer();
    }
}
