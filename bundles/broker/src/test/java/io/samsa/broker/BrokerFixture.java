package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.storage.StorageEngine;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.storage.filechannel.FileChannelStorageEngine;
import io.samsa.testsupport.InMemoryCoordinator;

/** Starts brokers on an in-memory coordinator and the FileChannel storage engine, for tests. */
final class BrokerFixture implements AutoCloseable {

    final InMemoryCoordinator coordinator = new InMemoryCoordinator();
    /** The replication every broker of the fixture runs with. */
    final SoloReplicationEngine replication = new SoloReplicationEngine();
    private final Path root;
    private final List<BrokerServer> started = new ArrayList<>();

    BrokerFixture(Path root) {
        this.root = root;
    }

    /** What the protocol front end would publish for {@code PLAINTEXT://127.0.0.1:0} before binding. */
    static final ListenerEndpoints.Endpoint LOCAL_ENDPOINT = new ListenerEndpoints.Endpoint("PLAINTEXT", "127.0.0.1", 0);

    /** A {@code NAME://host:port} endpoint, as the front end publishes one. */
    static ListenerEndpoints.Endpoint endpoint(String listener) {
        int scheme = listener.indexOf("://");
        int colon = listener.lastIndexOf(':');
        return new ListenerEndpoints.Endpoint(listener.substring(0, scheme), listener.substring(scheme + 3, colon),
                Integer.parseInt(listener.substring(colon + 1)));
    }

    /** The real engine of bundle storage-filechannel, built without OSGi. */
    static StorageEngine engine() {
        return new FileChannelStorageEngine();
    }

    BrokerServer start(int brokerId, Map<String, ?> overrides) throws IOException {
        return start(brokerId, overrides, engine());
    }

    BrokerServer start(int brokerId, Map<String, ?> overrides, StorageEngine engine) throws IOException {
        Map<String, Object> config = new HashMap<>(overrides);
        config.put("broker.id", brokerId);
        config.putIfAbsent("log.dirs", root.resolve("broker-" + brokerId).toString());
        Object advertised = config.remove("advertised.listeners");
        BrokerServer server = new BrokerServer(BrokerSettings.from(TestConfig.of(config),
                advertised == null ? LOCAL_ENDPOINT : endpoint(advertised.toString())), coordinator,
                new CoordinatorMetadataStore(coordinator), engine, replication);
        server.start();
        started.add(server);
        return server;
    }

    void stop(BrokerServer server) {
        if (started.remove(server)) {
            server.stop();
        }
    }

    /**
     * Applies {@code state} to {@code tp}'s replica on {@code broker} as its metadata thread would,
     * once the watches of earlier changes have been applied (so that they cannot replace it).
     *
     * @return the partition
     */
    Partition apply(BrokerServer broker, TopicPartition tp, int leader, int leaderEpoch, int minInsync)
            throws Exception {
        coordinator.awaitCallbacks();
        broker.awaitMetadata();
        Partition p = broker.registry().get(tp);
        int self = broker.settings().brokerId();
        PartitionAssignment replicas = PartitionAssignment.of(leader == self || leader < 0 ? List.of(self)
                : List.of(self, leader));
        Optional<LeaderReplica> leadership = broker.replication().apply(p, replicas,
                new PartitionState(leader, leaderEpoch, List.of(leader), -1, 0, LeaderRecoveryState.RECOVERED),
                new ReplicaSettings(minInsync));
        p.applyLeadership(leadership, leaderEpoch);
        return p;
    }

    static void createTopic(BrokerServer broker, String name, int partitions) {
        ApiError e = broker.topicAdmin().createTopic(name, partitions, (short) 1, Map.of(), Map.of(), false);
        if (e.isFailure()) {
            throw new AssertionError("create " + name + ": " + e);
        }
    }

    static ProduceResult produce(BrokerServer broker, TopicPartition tp, ByteBuffer records) throws Exception {
        return broker.partitionService().append(Map.of(tp, records), (short) -1, 5000, false)
                .get(5, TimeUnit.SECONDS).get(tp);
    }

    static FetchResult fetch(BrokerServer broker, TopicPartition tp, long offset) throws Exception {
        Map<TopicPartition, FetchPosition> req = new LinkedHashMap<>();
        req.put(tp, new FetchPosition(offset, 1 << 20, -1));
        return broker.partitionService().fetch(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req)
                .get(5, TimeUnit.SECONDS).get(tp);
    }

    static void assertOk(FetchResult r) {
        if (r.error() != Errors.NONE) {
            throw new AssertionError("fetch failed: " + r.error());
        }
    }

    static List<String> values(FetchResult r) throws IOException {
        assertOk(r);
        return Records.values(r.records());
    }

    @Override
    public void close() {
        for (BrokerServer s : List.copyOf(started)) {
            stop(s);
        }
        coordinator.close();
    }
}
