package io.samsa.controller;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Op;
import io.samsa.api.replication.ControllerService;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.testsupport.InMemoryCoordinator;
import io.samsa.testsupport.Poll;

/**
 * A cluster for controller tests: brokers are registrations, each in its own coordinator session
 * (so one can go away or restart alone), controllers are {@link ControllerComponent}s, each in a
 * session of its own, and an admin session creates topics and reads states.
 */
final class ControllerTestCluster implements AutoCloseable {

    static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    /** The store every session uses: the real one, in Kafka's layout, over that session. */
    static ClusterMetadataStore store(Coordinator coordinator) {
        return new CoordinatorMetadataStore(coordinator);
    }

    private final InMemoryCoordinator root = new InMemoryCoordinator();
    private final ClusterMetadataStore admin = store(root);
    private final Map<Integer, InMemoryCoordinator> brokers = new TreeMap<>();
    private final List<ControllerComponent> controllers = new ArrayList<>();
    private final List<InMemoryCoordinator> sessions = new ArrayList<>();

    ClusterMetadataStore admin() {
        return admin;
    }

    InMemoryCoordinator root() {
        return root;
    }

    /** A new session of the cluster, closed with it. */
    InMemoryCoordinator session() {
        InMemoryCoordinator s = root.connectAnother();
        sessions.add(s);
        return s;
    }

    ControllerTestCluster brokers(int... ids) {
        for (int id : ids) {
            startBroker(id);
        }
        return this;
    }

    void startBroker(int id) {
        InMemoryCoordinator s = root.connectAnother();
        s.registerBroker(new BrokerRegistration(id, "localhost", 9090 + id, Optional.empty(), 0));
        brokers.put(id, s);
    }

    /** Registers brokers in one session, which a test closes to lose them all in one step. */
    InMemoryCoordinator brokersInOneSession(int... ids) {
        InMemoryCoordinator s = session();
        for (int id : ids) {
            s.registerBroker(new BrokerRegistration(id, "localhost", 9090 + id, Optional.empty(), 0));
        }
        return s;
    }

    /** The broker's registration goes, as when its process dies and its session expires. */
    void killBroker(int id) {
        brokers.remove(id).close();
    }

    /** The broker registers again with a new epoch, in one step: a restart the controller saw only the end of. */
    void restartBroker(int id) {
        brokers.get(id).expireSession();
    }

    /** Asks for the broker's controlled shutdown as a stopping broker does, in its own session, naming {@code epoch}. */
    void requestShutdown(int id, long epoch) {
        brokers.get(id).transact(List.of(new Op.Create(ControllerService.CONTROLLED_SHUTDOWN_PATH + "/" + id,
                Long.toString(epoch).getBytes(StandardCharsets.UTF_8), true)));
    }

    void requestShutdown(int id) {
        requestShutdown(id, brokerEpoch(id));
    }

    long brokerEpoch(int id) {
        return root.liveBrokers().stream().filter(b -> b.brokerId() == id).findFirst().orElseThrow().epoch();
    }

    ControllerComponent controller(int brokerId) {
        return controller(brokerId, ControllerSettings.DEFAULTS, ControllerTestCluster::store);
    }

    ControllerComponent controller(int brokerId, ControllerSettings settings) {
        return controller(brokerId, settings, ControllerTestCluster::store);
    }

    ControllerComponent controller(int brokerId, ControllerSettings settings,
            Function<Coordinator, ClusterMetadataStore> stores) {
        InMemoryCoordinator s = session();
        ControllerComponent c = new ControllerComponent(brokerId, settings, s, stores.apply(s));
        controllers.add(c);
        return c;
    }

    List<ControllerComponent> controllers() {
        return controllers;
    }

    /** Waits until {@code controller} is elected and returns its term. */
    static ElectedController awaitTerm(ControllerComponent controller) {
        Poll.until("the controller is elected", () -> controller.term() != null);
        return controller.term();
    }

    /** Creates a topic whose partition {@code i} has replicas {@code replicas[i]}. */
    void createTopic(String name, Map<String, String> configs, List<Integer>... replicas) {
        SortedMap<Integer, PartitionAssignment> partitions = new TreeMap<>();
        for (int i = 0; i < replicas.length; i++) {
            partitions.put(i, PartitionAssignment.of(replicas[i]));
        }
        if (!admin.createTopic(name, Uuid.randomUuid(), partitions, configs)) {
            throw new AssertionError("topic " + name + " exists already");
        }
    }

    void createTopic(String name, List<Integer>... replicas) {
        createTopic(name, Map.of(), replicas);
    }

    /** Writes a state as a partition's leader would (no fence), expecting the current partition epoch. */
    PartitionState writeState(TopicPartition tp, int leader, int leaderEpoch, List<Integer> isr) {
        int expected = admin.partitionState(tp).map(PartitionState::partitionEpoch).orElse(Coordinator.ABSENT);
        PartitionState next = new PartitionState(leader, leaderEpoch, isr, -1, 0, LeaderRecoveryState.RECOVERED);
        return admin.updatePartitionState(tp, expected, next, Optional.empty()).state()
                .orElseThrow(() -> new AssertionError("could not write the state of " + tp));
    }

    PartitionState state(TopicPartition tp) {
        return admin.partitionState(tp).orElse(PartitionState.NONE);
    }

    /** Waits until the partition's stored state matches, and returns it. */
    PartitionState awaitState(TopicPartition tp, String what, Predicate<PartitionState> condition) {
        Poll.until(tp + " " + what, () -> condition.test(state(tp)));
        return state(tp);
    }

    PartitionState awaitLeader(TopicPartition tp, int leader, int leaderEpoch) {
        return awaitState(tp, "has leader " + leader + " at leader epoch " + leaderEpoch,
                s -> s.exists() && s.leader() == leader && s.leaderEpoch() == leaderEpoch);
    }

    @Override
    public void close() {
        for (ControllerComponent c : controllers) {
            c.deactivate();
        }
        brokers.values().forEach(InMemoryCoordinator::close);
        sessions.forEach(InMemoryCoordinator::close);
        root.close();
    }
}
