package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.ReplicationRuntime;
import io.samsa.testsupport.Poll;

/**
 * The fetcher's connection over a real socket to a tiny scripted leader that frames its answers
 * with kafka-clients: ApiVersions once, then Fetch at the version both serve.
 */
public class LeaderConnectionTest {
    static final Uuid TOPIC_ID = Uuid.randomUuid();

    private ServerSocket server;
    private final List<RequestHeader> received = new CopyOnWriteArrayList<>();
    private final CompletableFuture<FetchRequest> fetchSeen = new CompletableFuture<>();

    @After
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Serves one connection: ApiVersions offering Fetch up to {@code fetchMax}, then Fetch answers with a batch. */
    private BrokerRegistration.Endpoint serve(short fetchMax) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    ByteBuffer buf = ByteBuffer.wrap(frame);
                    RequestHeader header = RequestHeader.parse(buf);
                    received.add(header);
                    if (header.apiKey() == ApiKeys.API_VERSIONS) {
                        ApiVersionsResponseData versions = new ApiVersionsResponseData();
                        versions.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.FETCH.id)
                                .setMinVersion((short) 4).setMaxVersion(fetchMax));
                        versions.apiKeys().add(new ApiVersionsResponseData.ApiVersion()
                                .setApiKey(ApiKeys.API_VERSIONS.id).setMinVersion((short) 0).setMaxVersion((short) 4));
                        write(out, header, versions);
                    } else {
                        fetchSeen.complete(FetchRequest.parse(new ByteBufferAccessor(buf), header.apiVersion()));
                        FetchResponseData.PartitionData p = new FetchResponseData.PartitionData().setPartitionIndex(0)
                                .setHighWatermark(3).setLogStartOffset(0)
                                .setRecords(MemoryRecords.readableRecords(LogReplica.leaderBatch(0, 3, 4)));
                        write(out, header, new FetchResponseData().setResponses(List.of(
                                new FetchResponseData.FetchableTopicResponse().setTopicId(TOPIC_ID).setTopic("orders")
                                        .setPartitions(List.of(p)))));
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }, "scripted-leader");
        t.setDaemon(true);
        t.start();
        return BrokerRegistration.Endpoint.of("PLAINTEXT", "127.0.0.1", server.getLocalPort());
    }

    private static void write(DataOutputStream out, RequestHeader request, ApiMessage body) throws IOException {
        short version = request.apiVersion();
        short headerVersion = request.apiKey().responseHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(request.correlationId());
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(size);
        ByteBufferAccessor a = new ByteBufferAccessor(buf);
        header.write(a, cache, headerVersion);
        body.write(a, cache, version);
        out.writeInt(size);
        out.write(buf.array());
        out.flush();
    }

    @Test
    public void negotiatesTheFetchVersionThenFetchesOverTheSocket() throws Exception {
        BrokerRegistration.Endpoint leader = serve((short) 16);
        try (LeaderConnection c = LeaderConnection.connect(leader, "samsa-replica-fetcher-1-2-0", 5000)) {
            assertEquals("the leader's highest, below our 17", 16, c.fetchVersion());
            FetchRequests.PartitionFetch p = new FetchRequests.PartitionFetch(new TopicPartition("orders", 0), TOPIC_ID,
                    0, 4, -1, 0);
            for (int round = 0; round < 3; round++) {
                FetchResponseData response = c.fetch(FetchRequests.build(c.fetchVersion(), 1, 77,
                        ReplicationConfig.DEFAULTS, List.of(p)), c.fetchVersion());
                FetchResponseData.PartitionData got = response.responses().get(0).partitions().get(0);
                assertEquals(3, got.highWatermark());
                MemoryRecords records = (MemoryRecords) got.records();
                RecordBatch batch = records.batches().iterator().next();
                batch.ensureValid();
                assertEquals(2, batch.lastOffset());
                assertEquals(4, batch.partitionLeaderEpoch());
            }
            FetchRequest seen = fetchSeen.get(5, TimeUnit.SECONDS);
            assertEquals(1, seen.replicaId());
            assertEquals(77, seen.replicaEpoch());
        }
        assertEquals(ApiKeys.API_VERSIONS, received.get(0).apiKey());
        assertEquals("samsa-replica-fetcher-1-2-0", received.get(1).clientId());
        assertEquals(16, received.get(1).apiVersion());
        assertEquals("one correlation id per request", 4, received.stream().map(RequestHeader::correlationId)
                .distinct().count());
    }

    @Test
    public void aFollowerRuntimeCopiesFromTheLeaderOnItsFetcherThread() throws Exception {
        BrokerRegistration.Endpoint leader = serve((short) 17);
        TestHost host = new TestHost(1, 1);
        host.brokers.add(new BrokerRegistration(2, leader.host(), leader.port(), Optional.empty(), 100));
        Path dir = Files.createTempDirectory("follower");
        LogReplica replica = new LogReplica(new TopicPartition("orders", 0), TOPIC_ID, dir);
        ReplicationEngineComponent engine = new ReplicationEngineComponent(null);
        ReplicationRuntime runtime = engine.start(host);
        try {
            runtime.apply(replica, PartitionAssignment.of(List.of(2, 1)),
                    new PartitionState(2, 4, List.of(2, 1), 0, 1,
                            LeaderRecoveryState.RECOVERED),
                    new ReplicaSettings(1));
            Poll.until("the follower copied the leader's batch", () -> replica.logEndOffset() == 3);
            Poll.until("and its high watermark", () -> replica.highWatermark() == 3);
            assertEquals(OptionalInt.of(4), replica.latestEpoch());
            FetchRequest seen = fetchSeen.get(5, TimeUnit.SECONDS);
            assertEquals(17, received.get(1).apiVersion());
            assertEquals(1, seen.replicaId());
            assertEquals(100, seen.replicaEpoch());
        } finally {
            engine.deactivate();
            replica.close();
        }
    }

    @Test
    public void aLeaderTooOldToTellDivergenceIsRefusedByName() throws Exception {
        BrokerRegistration.Endpoint leader = serve((short) 11);
        IOException e = assertThrows(IOException.class, () -> LeaderConnection.connect(leader, "f", 5000));
        assertTrue(e.getMessage(), e.getMessage().contains("up to v11") && e.getMessage().contains("v12"));
    }

    @Test
    public void onlyPlaintextListenersAreSpoken() {
        BrokerRegistration.Endpoint ssl = BrokerRegistration.Endpoint.of("SSL", "127.0.0.1", 1);
        IOException e = assertThrows(IOException.class, () -> LeaderConnection.connect(ssl, "f", 1000));
        assertTrue(e.getMessage(), e.getMessage().contains("inter.broker.listener.name"));
    }
}
