package io.samsa.replication;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.replication.FollowerFetchCheck;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.ReplicationRuntime;
import io.samsa.api.storage.LogSlice;
import io.samsa.testsupport.Poll;

/**
 * This bundle's follower against this bundle's leader over a socket: a tiny server answers
 * Fetch the way the broker will (check, read to the log end, report), so divergence, catch-up,
 * ISR expansion and the high watermark go over the wire as they will between brokers.
 */
public class LeaderFollowerLoopTest {
    static final TopicPartition TP = new TopicPartition("orders", 0);
    static final Uuid TOPIC_ID = Uuid.randomUuid();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ServerSocket server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @After
    public void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Serves follower fetches of {@code leader}'s partition from {@code log}, one connection at a time. */
    private int serve(LeaderState leader, LogReplica log) throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    while (true) {
                        byte[] frame = new byte[in.readInt()];
                        in.readFully(frame);
                        ByteBuffer buf = ByteBuffer.wrap(frame);
                        RequestHeader header = RequestHeader.parse(buf);
                        if (header.apiKey() == ApiKeys.API_VERSIONS) {
                            ApiVersionsResponseData v = new ApiVersionsResponseData();
                            v.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.FETCH.id)
                                    .setMinVersion((short) 4).setMaxVersion((short) 17));
                            write(out, header, v);
                        } else {
                            FetchRequest fetch = FetchRequest.parse(new ByteBufferAccessor(buf), header.apiVersion());
                            write(out, header, answer(leader, log, fetch));
                        }
                    }
                } catch (IOException e) {
                    // connection or server closed
                }
            }
        }, "test-leader");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    /** What the broker's fetch path does for a follower: check, read to the log end, report. */
    private static FetchResponseData answer(LeaderState leader, LogReplica log, FetchRequest fetch) throws IOException {
        Map.Entry<TopicIdPartition, FetchRequest.PartitionData> only = fetch.fetchData(Map.of(TOPIC_ID, TP.topic()))
                .entrySet().iterator().next();
        FetchRequest.PartitionData p = only.getValue();
        FetchResponseData.PartitionData out = new FetchResponseData.PartitionData().setPartitionIndex(TP.partition());
        FollowerFetchCheck check = leader.checkFollowerFetch(fetch.replicaId(), fetch.replicaEpoch(), p.fetchOffset,
                p.lastFetchedEpoch.orElse(-1));
        if (check.error() != Errors.NONE) {
            out.setErrorCode(check.error().code());
        } else if (check.divergingEpoch().isPresent()) {
            out.divergingEpoch().setEpoch(check.divergingEpoch().get().epoch())
                    .setEndOffset(check.divergingEpoch().get().endOffset());
        } else {
            long leo = log.logEndOffset();
            if (p.fetchOffset < leo) {
                LogSlice slice = log.log.read(p.fetchOffset, p.maxBytes, Long.MAX_VALUE);
                ByteBuffer records = ByteBuffer.allocate(slice.sizeInBytes());
                slice.readInto(records, 0);
                out.setRecords(MemoryRecords.readableRecords(records.flip()));
            }
            leader.followerFetched(fetch.replicaId(), fetch.replicaEpoch(), p.fetchOffset, leo,
                    System.currentTimeMillis());
        }
        return new FetchResponseData().setResponses(List.of(new FetchResponseData.FetchableTopicResponse()
                .setTopicId(TOPIC_ID).setPartitions(List.of(out.setHighWatermark(leader.highWatermark())
                        .setLogStartOffset(log.logStartOffset())))));
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

    private LogReplica log(String name) throws IOException {
        LogReplica r = new LogReplica(TP, TOPIC_ID, tmp.newFolder(name).toPath());
        toClose.add(r::close);
        return r;
    }

    private static byte[] bytes(LogReplica r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogSlice s = r.log.read(r.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE);
        ByteBuffer b = ByteBuffer.allocate(s.sizeInBytes());
        s.readInto(b, 0);
        out.write(b.array());
        return out.toByteArray();
    }

    @Test
    public void aDivergedFollowerTruncatesByEpochCatchesUpJoinsTheIsrAndEndsByteIdentical() throws Exception {
        LogReplica leaderLog = log("leader");
        leaderLog.appendAsFollower(LogReplica.leaderBatch(0, 5, 0));
        leaderLog.appendAsFollower(LogReplica.leaderBatch(5, 2, 2));
        LogReplica followerLog = log("follower");
        followerLog.appendAsFollower(LogReplica.leaderBatch(0, 5, 0));
        followerLog.appendAsFollower(LogReplica.leaderBatch(5, 3, 1)); // never committed; the leader lost them

        TestHost leaderHost = new TestHost(1, 1, 2);
        List<IsrChange> changes = new ArrayList<>();
        leaderLog.assignEpochStartOffset(3, 7);
        LeaderState leader = new LeaderState(leaderLog, leaderHost, PartitionAssignment.of(List.of(1, 2)),
                new PartitionState(1, 3, List.of(1), 0, 1, LeaderRecoveryState.RECOVERED), new ReplicaSettings(1), 7,
                System::currentTimeMillis, 30_000, new TimerWheel(10, 512, System.currentTimeMillis()),
                l -> changes.add(l.pendingChange()));
        leader.start();
        int port = serve(leader, leaderLog);

        TestHost followerHost = new TestHost(2, 2);
        followerHost.brokers.add(new BrokerRegistration(1, "127.0.0.1", port, Optional.empty(), 100));
        ReplicationConfig fast = new ReplicationConfig(30_000, 50, 1, 1 << 20, 10 << 20, 50, 5_000, 1,
                Optional.empty());
        ReplicationEngineComponent engine = new ReplicationEngineComponent(null, fast);
        ReplicationRuntime follower = engine.start(followerHost);
        toClose.add(engine::deactivate);
        follower.apply(followerLog, PartitionAssignment.of(List.of(1, 2)),
                new PartitionState(1, 3, List.of(1), 0, 1, LeaderRecoveryState.RECOVERED), new ReplicaSettings(1));

        Poll.until("the follower truncated its epoch-1 tail and copied the leader's epoch 2",
                () -> followerLog.logEndOffset() == 7 && followerLog.latestEpoch().equals(OptionalInt.of(2)));
        for (int i = 0; i < 5; i++) {
            leader.appended(leaderLog.appendAsLeader(2, 3));
        }
        Poll.until("caught up with the leader's epoch 3", () -> followerLog.logEndOffset() == 17);
        Poll.until("the follower asked to join the ISR", () -> !changes.isEmpty());
        assertEquals(List.of(1, 2), changes.get(0).isr());
        Poll.until("the follower has the leader's high watermark", () -> followerLog.highWatermark() == 17);
        assertEquals(17, leader.highWatermark());
        assertArrayEquals("byte for byte the leader's log", bytes(leaderLog), bytes(followerLog));
        assertEquals(OptionalInt.of(3), followerLog.latestEpoch());
    }
}
