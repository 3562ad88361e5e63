package io.samsa.cluster.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.TransactResult;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.MetadataListener;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ProducerIdBlock;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.replication.TopicRecord;

/**
 * The cluster metadata in whichever {@link Coordinator} is deployed, in Kafka's ZooKeeper layout
 * ({@link MetadataJson} has the documents).
 * <p>
 * Conditional writes go through {@link Coordinator#transact}: the writer's fence (if any) first,
 * then the write at the version it read, so that a deposed controller or a leader with a stale
 * partition epoch changes nothing. A topic is created in one transaction with its config node, so
 * no reader ever sees the topic without its configs; its partition states come later, each
 * conditional on the topic node still being there, so a state written for a topic deleted
 * meanwhile cannot resurrect an empty topic node.
 * <p>
 * A node whose document cannot be read is an {@link IllegalStateException} naming its path.
 */
@Component(service = ClusterMetadataStore.class)
public final class CoordinatorMetadataStore implements ClusterMetadataStore {

    /**
     * How often a write retries after the node it depends on (the topic node, for a first state;
     * a leftover config node, for a create) changed under it without the change being the
     * caller's conflict.
     */
    private static final int ATTEMPTS = 10;

    private final Coordinator coordinator;

    @Activate
    public CoordinatorMetadataStore(@Reference(name = "coordinator", target = "(coordination.type=*)") Coordinator coordinator) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    }

    @Override
    public List<String> topicNames() {
        return coordinator.children(ZkLayout.TOPICS);
    }

    @Override
    public Optional<TopicRecord> topic(String name) {
        String path = ZkLayout.topic(name);
        Optional<Versioned> node = coordinator.read(path);
        if (node.isEmpty() || isEmpty(node.get())) {
            return Optional.empty(); // an empty node is a parent made implicitly, not a topic
        }
        MetadataJson.TopicNode topic = decode(path, node.get().value(), MetadataJson::parseTopic);
        Map<Integer, PartitionState> states = new TreeMap<>();
        for (Integer p : topic.partitions().keySet()) {
            partitionState(new TopicPartition(name, p)).ifPresent(s -> states.put(p, s));
        }
        return Optional.of(new TopicRecord(name, topic.topicId(), node.get().version(), topic.partitions(), states,
                configs("topics", name)));
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition partition) {
        String path = ZkLayout.state(partition);
        return coordinator.read(path).filter(v -> !isEmpty(v))
                .map(v -> decode(path, v.value(), value -> MetadataJson.parseState(value, v.version())));
    }

    @Override
    public boolean createTopic(String name, Uuid topicId, SortedMap<Integer, PartitionAssignment> partitions,
            Map<String, String> configs) {
        requireName(name);
        Objects.requireNonNull(topicId, "topicId");
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("Topic " + name + " needs at least one partition");
        }
        byte[] topic = MetadataJson.topic(topicId, partitions);
        byte[] config = MetadataJson.config(configs);
        String configPath = ZkLayout.config("topics", name);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            // a config node left by a topic deleted half-way is overwritten, as Kafka does
            Optional<Versioned> leftover = coordinator.read(configPath);
            Op configOp = leftover.isPresent() ? new Op.Set(configPath, config, leftover.get().version())
                    : new Op.Create(configPath, config, false);
            TransactResult result = coordinator.transact(
                    List.of(new Op.Create(ZkLayout.topic(name), topic, false), configOp));
            if (result.isCommitted()) {
                return true;
            }
            if (result.failedOp() == 0) {
                return false; // the topic node exists: someone else created it
            }
        }
        throw new CoordinationException("Could not create topic " + name + ": its config node " + configPath
                + " kept changing during " + ATTEMPTS + " attempts");
    }

    @Override
    public int updateAssignment(String topic, int expectedVersion, SortedMap<Integer, PartitionAssignment> partitions,
            Optional<Op> fence) {
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("Topic " + topic + " needs at least one partition");
        }
        String path = ZkLayout.topic(topic);
        Optional<Versioned> node = coordinator.read(path);
        if (node.isEmpty() || isEmpty(node.get()) || node.get().version() != expectedVersion) {
            return -1;
        }
        Uuid topicId = decode(path, node.get().value(), MetadataJson::parseTopic).topicId();
        List<Op> ops = new ArrayList<>(2);
        fence.ifPresent(ops::add);
        ops.add(new Op.Set(path, MetadataJson.topic(topicId, partitions), expectedVersion));
        TransactResult result = coordinator.transact(ops);
        if (result.isCommitted()) {
            return result.versions().get(ops.size() - 1);
        }
        if (fence.isPresent() && result.failedOp() == 0) {
            throw new FencedException("The assignment of " + topic + " was not written: the writer's fence "
                    + fence.get().path() + " failed (" + result.failure() + "), another controller was elected");
        }
        return -1;
    }

    @Override
    public StateUpdate updatePartitionState(TopicPartition partition, int expectedPartitionEpoch, PartitionState next,
            Optional<Op> fence) {
        Objects.requireNonNull(next, "next");
        if (expectedPartitionEpoch < 0 && expectedPartitionEpoch != Coordinator.ABSENT) {
            throw new IllegalArgumentException("The expected partition epoch of " + partition
                    + " is a version >= 0 or ABSENT (" + Coordinator.ABSENT + "), not " + expectedPartitionEpoch);
        }
        if (next.isr().isEmpty()) {
            throw new IllegalArgumentException("The state of " + partition + " needs a non-empty ISR: " + next);
        }
        String path = ZkLayout.state(partition);
        byte[] value = MetadataJson.state(next);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<Op> ops = new ArrayList<>(3);
            fence.ifPresent(ops::add);
            int topicCheck = -1;
            if (expectedPartitionEpoch == Coordinator.ABSENT) {
                // the first state: only while the topic is there (Create would make its node, empty, if not)
                Optional<Versioned> topic = coordinator.read(ZkLayout.topic(partition.topic()));
                if (topic.isEmpty() || isEmpty(topic.get())) {
                    if (fence.isPresent() && !fenceHolds(fence.get())) {
                        return StateUpdate.fenced();
                    }
                    return StateUpdate.conflict(Optional.empty());
                }
                topicCheck = ops.size();
                ops.add(new Op.Check(ZkLayout.topic(partition.topic()), topic.get().version()));
                ops.add(new Op.Create(path, value, false));
            } else {
                ops.add(new Op.Set(path, value, expectedPartitionEpoch));
            }
            TransactResult result = coordinator.transact(ops);
            if (result.isCommitted()) {
                return StateUpdate.applied(next.atPartitionEpoch(result.versions().get(ops.size() - 1)));
            }
            if (fence.isPresent() && result.failedOp() == 0) {
                return StateUpdate.fenced();
            }
            if (result.failedOp() != topicCheck || result.failure() != TransactResult.Failure.BAD_VERSION) {
                // the state moved (BAD_VERSION, NODE_EXISTS), went (NO_NODE), or the topic went
                return StateUpdate.conflict(partitionState(partition));
            }
            // the topic's assignment changed, not the state: read the topic again and retry
        }
        throw new CoordinationException("Could not write the first state of " + partition + ": the topic node kept"
                + " changing during " + ATTEMPTS + " attempts");
    }

    /** Whether {@code fence} holds now: a fence alone in a transaction. */
    private boolean fenceHolds(Op fence) {
        return coordinator.transact(List.of(fence)).isCommitted();
    }

    @Override
    public boolean deleteTopic(String topic) {
        // the topic node first (with its states below it): readers stop seeing the topic at once
        boolean existed = coordinator.delete(ZkLayout.topic(topic), Coordinator.ANY_VERSION);
        coordinator.delete(ZkLayout.config("topics", topic), Coordinator.ANY_VERSION);
        return existed;
    }

    @Override
    public Map<String, String> configs(String entityType, String entityName) {
        String path = ZkLayout.config(entityType, entityName);
        return coordinator.read(path).filter(v -> !isEmpty(v))
                .map(v -> decode(path, v.value(), MetadataJson::parseConfig)).orElseGet(TreeMap::new);
    }

    @Override
    public void writeConfigs(String entityType, String entityName, Map<String, String> configs) {
        String path = ZkLayout.config(entityType, entityName);
        byte[] value = MetadataJson.config(configs);
        // the whole set of overrides replaces what is there: the last writer wins, as in Kafka
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int expected = coordinator.read(path).map(Versioned::version).orElse(Coordinator.ABSENT);
            if (coordinator.compareAndSet(path, value, expected) >= 0) {
                return;
            }
        }
        throw new CoordinationException("Could not write " + path + ": it kept changing during " + ATTEMPTS
                + " attempts");
    }

    @Override
    public ProducerIdBlock claimProducerIdBlock(int brokerId, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("A producer id block holds at least one id, not " + size);
        }
        String path = ZkLayout.PRODUCER_ID_BLOCK;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<Versioned> current = coordinator.read(path);
            long first = current.filter(v -> !isEmpty(v))
                    .map(v -> decode(path, v.value(), MetadataJson::parseProducerIdBlockEnd) + 1).orElse(0L);
            if (first > Long.MAX_VALUE - size) {
                throw new IllegalStateException("Producer ids are exhausted: the last block claimed ends at "
                        + (first - 1));
            }
            ProducerIdBlock block = new ProducerIdBlock(brokerId, first, first + size - 1);
            int expected = current.map(Versioned::version).orElse(Coordinator.ABSENT);
            if (coordinator.compareAndSet(path, MetadataJson.producerIdBlock(block), expected) >= 0) {
                return block;
            }
        }
        throw new CoordinationException("Could not claim a producer id block at " + path + ": it kept changing during "
                + ATTEMPTS + " attempts");
    }

    @Override
    public OptionalInt controllerId() {
        Optional<Versioned> node = coordinator.read(ZkLayout.CONTROLLER);
        if (node.isEmpty() || isEmpty(node.get())) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(decode(ZkLayout.CONTROLLER, node.get().value(), MetadataJson::parseControllerId));
    }

    @Override
    public Watch watch(MetadataListener listener) {
        return MetadataWatch.start(coordinator, Objects.requireNonNull(listener, "listener"));
    }

    private static boolean isEmpty(Versioned node) {
        return node.value() == null || node.value().length == 0;
    }

    private static <T> T decode(String path, byte[] value, Function<byte[], T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Unreadable " + path + ": " + e.getMessage(), e);
        }
    }

    private static void requireName(String topic) {
        if (topic == null || topic.isEmpty() || topic.contains("/") || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("Not a topic name for the metadata tree: " + topic);
        }
    }
}
