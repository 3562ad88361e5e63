package io.samsa.group;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;

import io.samsa.api.broker.Caller;
import io.samsa.testsupport.InMemoryCluster;
import io.samsa.testsupport.InMemoryPartitions;
import io.samsa.testsupport.Poll;

/** Shared fixtures: in-memory broker services, coordinator start/stop, request builders. */
abstract class CoordinatorTestSupport {
    static final String PROTOCOL_TYPE = "consumer";

    final InMemoryPartitions partitions = new InMemoryPartitions();
    final InMemoryCluster cluster = new InMemoryCluster(partitions);
    private final List<GroupCoordinatorService> started = new ArrayList<>();

    static GroupConfig config(int initialDelayMs) {
        return new GroupConfig(4, (short) 3, 1024 * 1024, initialDelayMs, 10, 60_000, Integer.MAX_VALUE,
                7L * 24 * 3600 * 1000, 3_600_000L, 4096, 5000);
    }

    GroupCoordinatorService start(GroupConfig config) {
        GroupCoordinatorService c = new GroupCoordinatorService(partitions, cluster, cluster, config);
        started.add(c);
        return c;
    }

    void stop(GroupCoordinatorService c) {
        c.deactivate();
        started.remove(c);
    }

    @After
    public void stopAll() {
        for (GroupCoordinatorService c : new ArrayList<>(started)) {
            c.deactivate();
        }
        started.clear();
        partitions.close();
    }

    /** The coordinator's writes are the broker's own and wait for every in-sync replica, as Kafka's do. */
    @After
    public void everyWriteWasInternalWithAcksAll() {
        for (InMemoryPartitions.AppendCall call : partitions.appendCalls()) {
            assertTrue("not an internal acks=all write: " + call, call.internal() && call.requiredAcks() == -1);
        }
    }

    /** Waits until {@code c} coordinates {@code groupId} with its partition loaded. */
    static void awaitReady(GroupCoordinatorService c, String groupId) {
        Poll.until("this broker coordinates " + groupId, () -> c.coordinatorFor(groupId) == 0);
        Poll.until("the partition of " + groupId + " is loaded", () -> {
            OffsetFetchResponseData r = get(c.fetchOffsets(caller("probe", 8), new OffsetFetchRequestData()
                    .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(groupId)
                            .setTopics(null)))));
            return r.groups().get(0).errorCode() == Errors.NONE.code();
        });
    }

    static <T> T get(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no response", e);
        }
    }

    static Caller caller(String clientId, int version) {
        return new Caller(clientId, "/127.0.0.1:50000", (short) version);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A JoinGroup supporting {@code protocols}, each with metadata "meta-&lt;name&gt;". */
    static JoinGroupRequestData join(String groupId, String memberId, String instanceId, int sessionMs,
            int rebalanceMs, String... protocols) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection c = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            c.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(p).setMetadata(bytes("meta-" + p)));
        }
        return new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(sessionMs).setRebalanceTimeoutMs(rebalanceMs).setProtocolType(PROTOCOL_TYPE)
                .setProtocols(c);
    }

    static SyncGroupRequestData sync(String groupId, JoinGroupResponseData joined,
            SyncGroupRequestData.SyncGroupRequestAssignment... assignments) {
        return new SyncGroupRequestData().setGroupId(groupId).setMemberId(joined.memberId())
                .setGenerationId(joined.generationId()).setProtocolType(PROTOCOL_TYPE)
                .setProtocolName(joined.protocolName()).setAssignments(List.of(assignments));
    }

    static SyncGroupRequestData.SyncGroupRequestAssignment assign(String memberId, String assignment) {
        return new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId)
                .setAssignment(bytes(assignment));
    }

    static Errors heartbeat(GroupCoordinatorService c, String groupId, String memberId, String instanceId,
            int generation) {
        return Errors.forCode(get(c.heartbeat(caller("hb", 4), new HeartbeatRequestData().setGroupId(groupId)
                .setMemberId(memberId).setGroupInstanceId(instanceId).setGenerationId(generation))).errorCode());
    }

    static void assertError(Errors expected, short actual) {
        assertEquals(expected, Errors.forCode(actual));
    }

    static SyncGroupResponseData syncOk(GroupCoordinatorService c, SyncGroupRequestData request) {
        SyncGroupResponseData r = get(c.syncGroup(caller("sync", 5), request));
        assertError(Errors.NONE, r.errorCode());
        return r;
    }
}
