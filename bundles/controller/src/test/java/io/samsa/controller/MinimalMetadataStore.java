package io.samsa.controller;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.TransactResult;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.MetadataListener;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.replication.TopicRecord;

/**
 * A ClusterMetadataStore for these tests only, over a Coordinator, in Kafka's paths but with a
 * plain-text encoding: enough of the contract (partition-epoch CAS, the fence in the same
 * transaction, the watch's events) for the controller's logic, until the real store is merged.
 */
final class MinimalMetadataStore implements ClusterMetadataStore {
    private static final String TOPICS = "/brokers/topics";
    private final Coordinator coordinator;

    MinimalMetadataStore(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    private static String topicPath(String topic) {
        return TOPICS + "/" + topic;
    }

    private static String statePath(TopicPartition tp) {
        return topicPath(tp.topic()) + "/partitions/" + tp.partition() + "/state";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> fields(byte[] value) {
        Map<String, String> out = new HashMap<>();
        for (String line : new String(value, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isEmpty()) {
                out.add(Integer.valueOf(s));
            }
        }
        return out;
    }

    private static String csv(List<Integer> ids) {
        StringBuilder s = new StringBuilder();
        ids.forEach(i -> s.append(s.length() == 0 ? "" : ",").append(i));
        return s.toString();
    }

    private static byte[] encode(PartitionState s) {
        return bytes("leader=" + s.leader() + "\nleader_epoch=" + s.leaderEpoch() + "\nisr=" + csv(s.isr())
                + "\ncontroller_epoch=" + s.controllerEpoch() + "\nrecovery=" + s.recovery().code());
    }

    private static PartitionState decode(Coordinator.Versioned v) {
        Map<String, String> f = fields(v.value());
        return new PartitionState(Integer.parseInt(f.get("leader")), Integer.parseInt(f.get("leader_epoch")),
                ints(f.get("isr")), v.version(), Integer.parseInt(f.get("controller_epoch")),
                LeaderRecoveryState.of(Integer.parseInt(f.get("recovery"))));
    }

    @Override
    public List<String> topicNames() {
        return coordinator.children(TOPICS);
    }

    @Override
    public Optional<TopicRecord> topic(String name) {
        Optional<Coordinator.Versioned> node = coordinator.read(topicPath(name));
        if (node.isEmpty() || node.get().value().length == 0) {
            return Optional.empty();
        }
        Map<String, String> f = fields(node.get().value());
        SortedMap<Integer, PartitionAssignment> partitions = new TreeMap<>();
        Map<Integer, PartitionState> states = new HashMap<>();
        f.forEach((k, v) -> {
            if (k.startsWith("p")) {
                int p = Integer.parseInt(k.substring(1));
                partitions.put(p, PartitionAssignment.of(ints(v)));
                partitionState(new TopicPartition(name, p)).ifPresent(s -> states.put(p, s));
            }
        });
        return Optional.of(new TopicRecord(name, Uuid.fromString(f.get("id")), node.get().version(), partitions,
                states, configs("topics", name)));
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition partition) {
        return coordinator.read(statePath(partition)).map(MinimalMetadataStore::decode);
    }

    @Override
    public boolean createTopic(String name, Uuid topicId, SortedMap<Integer, PartitionAssignment> partitions,
            Map<String, String> configs) {
        StringBuilder s = new StringBuilder("id=" + topicId);
        partitions.forEach((p, a) -> s.append("\np").append(p).append('=').append(csv(a.replicas())));
        writeConfigs("topics", name, configs);
        return coordinator.compareAndSet(topicPath(name), bytes(s.toString()), Coordinator.ABSENT) >= 0;
    }

    @Override
    public int updateAssignment(String topic, int expectedVersion, SortedMap<Integer, PartitionAssignment> partitions,
            Optional<Op> fence) {
        throw new UnsupportedOperationException("not needed by the controller's tests");
    }

    @Override
    public StateUpdate updatePartitionState(TopicPartition partition, int expectedPartitionEpoch, PartitionState next,
            Optional<Op> fence) {
        List<Op> ops = new ArrayList<>();
        fence.ifPresent(ops::add);
        String path = statePath(partition);
        ops.add(expectedPartitionEpoch == Coordinator.ABSENT ? new Op.Create(path, encode(next), false)
                : new Op.Set(path, encode(next), expectedPartitionEpoch));
        TransactResult r = coordinator.transact(ops);
        if (r.isCommitted()) {
            return StateUpdate.applied(next.atPartitionEpoch(r.versions().get(ops.size() - 1)));
        }
        if (fence.isPresent() && r.failedOp() == 0) {
            return StateUpdate.fenced();
        }
        return StateUpdate.conflict(partitionState(partition));
    }

    @Override
    public boolean deleteTopic(String topic) {
        coordinator.delete("/config/topics/" + topic, Coordinator.ANY_VERSION);
        return coordinator.delete(topicPath(topic), Coordinator.ANY_VERSION);
    }

    @Override
    public Map<String, String> configs(String entityType, String entityName) {
        return coordinator.read("/config/" + entityType + "/" + entityName).map(v -> fields(v.value()))
                .orElse(Map.of());
    }

    @Override
    public void writeConfigs(String entityType, String entityName, Map<String, String> configs) {
        String path = "/config/" + entityType + "/" + entityName;
        StringBuilder s = new StringBuilder();
        configs.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        while (true) {
            Optional<Coordinator.Versioned> current = coordinator.read(path);
            if (coordinator.compareAndSet(path, bytes(s.toString()),
                    current.map(Coordinator.Versioned::version).orElse(Coordinator.ABSENT)) >= 0) {
                return;
            }
        }
    }

    @Override
    public OptionalInt controllerId() {
        return OptionalInt.empty();
    }

    @Override
    public Watch watch(MetadataListener listener) {
        // the /config watch's null (first call, lost events) needs nothing: a resync reads every topic's configs
        Watch brokers = coordinator.watchTree("/brokers", path -> {
            if (path == null) {
                listener.resync();
                return;
            }
            String[] parts = path.substring(1).split("/");
            if (parts.length >= 2 && parts[1].equals("ids")) {
                listener.brokersChanged();
            } else if (parts.length == 3 && parts[1].equals("topics")) {
                listener.topicChanged(parts[2]);
            } else if (parts.length == 6 && parts[1].equals("topics") && parts[5].equals("state")) {
                listener.partitionStateChanged(new TopicPartition(parts[2], Integer.parseInt(parts[4])));
            }
        });
        Watch configs = coordinator.watchTree("/config", path -> {
            String[] parts = path == null ? new String[0] : path.substring(1).split("/");
            if (parts.length == 3) {
                listener.configChanged(parts[1], parts[2]);
            }
        });
        return () -> {
            brokers.close();
            configs.close();
        };
    }
}
