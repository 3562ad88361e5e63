package io.samsa.broker;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.replication.TopicRecord;

/**
 * CreateTopics, DeleteTopics, CreatePartitions and topic configs, validated as Kafka validates
 * them, written to the coordinator and applied locally before answering.
 */
final class LocalTopicAdmin implements TopicAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTopicAdmin.class);

    private final Coordinator coordinator;
    private final ClusterMetadataStore store;
    private final TopicReconciler reconciler;
    private final MetadataCache metadata;
    private final Supplier<BrokerSettings> settings;
    private final DynamicBrokerConfig dynamicConfig;
    private final Random random = new Random();

    LocalTopicAdmin(Coordinator coordinator, ClusterMetadataStore store, TopicReconciler reconciler,
            MetadataCache metadata, Supplier<BrokerSettings> settings) {
        this.coordinator = coordinator;
        this.store = store;
        this.reconciler = reconciler;
        this.metadata = metadata;
        this.settings = settings;
        this.dynamicConfig = new DynamicBrokerConfig(store);
    }

    @Override
    public ApiError createTopic(String name, int numPartitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments, Map<String, String> configs, boolean validateOnly) {
        try {
            ApiError nameError = validateNewName(name);
            if (nameError != null) {
                return nameError;
            }
            boolean explicit = assignments != null && !assignments.isEmpty();
            if (explicit && (numPartitions != -1 || replicationFactor != -1)) {
                return new ApiError(Errors.INVALID_REQUEST, "Both numPartitions or replicationFactor and "
                        + "replicasAssignments were set. Both cannot be used at the same time.");
            }
            BrokerSettings s = settings.get();
            List<Integer> live = liveBrokerIds();
            SortedMap<Integer, List<Integer>> assignment;
            if (explicit) {
                ApiError error = validateAssignment(assignments, live);
                if (error != null) {
                    return error;
                }
                assignment = new TreeMap<>(assignments);
            } else {
                int partitions = numPartitions == -1 ? s.numPartitions() : numPartitions;
                int rf = replicationFactor == -1 ? s.defaultReplicationFactor() : replicationFactor;
                if (partitions <= 0) {
                    return new ApiError(Errors.INVALID_PARTITIONS,
                            "Number of partitions was set to an invalid non-positive value.");
                }
                if (rf <= 0) {
                    return new ApiError(Errors.INVALID_REPLICATION_FACTOR,
                            "Replication factor must be larger than 0, or -1 to use the default value.");
                }
                if (rf > live.size()) {
                    return new ApiError(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
                            + rf + " time(s): The target replication factor of " + rf
                            + " cannot be reached because only " + live.size() + " broker(s) are registered.");
                }
                assignment = ReplicaAssignment.assign(live, partitions, rf, 0, random);
            }
            Map<String, String> overrides = configs == null ? Map.of() : configs;
            String configError = TopicConfigs.validate(overrides, s.logDefaults());
            if (configError != null) {
                return new ApiError(Errors.INVALID_CONFIG, configError);
            }
            if (validateOnly) {
                return ApiError.NONE;
            }
            Uuid topicId = Uuid.randomUuid();
            if (!store.createTopic(name, topicId, assignments(assignment), new TreeMap<>(overrides))) {
                return alreadyExists(name);
            }
            writeInitialStates(name, assignment, new HashSet<>(live));
            reconciler.reconcileNow(name);
            LOG.info("Created topic {} (id {}) with {} partition(s), replicas {}", name, topicId,
                    assignment.size(), assignment);
            return ApiError.NONE;
        } catch (CoordinationException e) {
            return new ApiError(Errors.REQUEST_TIMED_OUT, e.getMessage());
        }
    }

    private ApiError validateNewName(String name) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return new ApiError(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (metadata.topic(name).isPresent() || store.topic(name).isPresent()) {
            return alreadyExists(name);
        }
        if (Topic.hasCollisionChars(name)) {
            for (TopicView t : metadata.topics()) {
                if (Topic.hasCollision(name, t.name())) {
                    return new ApiError(Errors.INVALID_TOPIC_EXCEPTION,
                            "Topic '" + name + "' collides with existing topic: " + t.name());
                }
            }
        }
        return null;
    }

    private static ApiError alreadyExists(String name) {
        return new ApiError(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
    }

    /** Partitions numbered 0..n-1, each with distinct live replicas, all of one size. */
    private static ApiError validateAssignment(Map<Integer, List<Integer>> assignments, List<Integer> live) {
        int size = -1;
        for (int p = 0; p < assignments.size(); p++) {
            List<Integer> replicas = assignments.get(p);
            if (replicas == null) {
                return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "Partitions should be consecutive and start at 0; partition " + p + " is missing.");
            }
            ApiError error = validateReplicas(p, replicas, live, size);
            if (error != null) {
                return error;
            }
            size = replicas.size();
        }
        return null;
    }

    private static ApiError validateReplicas(int partition, List<Integer> replicas, List<Integer> live, int size) {
        if (replicas.isEmpty()) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "Partition " + partition + " has no replicas.");
        }
        if (new HashSet<>(replicas).size() != replicas.size()) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
                    "Duplicate brokers in the replica assignment of partition " + partition + ": " + replicas);
        }
        if (size >= 0 && replicas.size() != size) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
                    "All partitions should have the same number of replicas; partition " + partition + " has "
                            + replicas.size() + ", expected " + size + ".");
        }
        for (Integer b : replicas) {
            if (!live.contains(b)) {
                return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "Unknown broker " + b + " in the replica assignment of partition " + partition + ".");
            }
        }
        return null;
    }

    private static SortedMap<Integer, PartitionAssignment> assignments(Map<Integer, List<Integer>> replicas) {
        SortedMap<Integer, PartitionAssignment> partitions = new TreeMap<>();
        replicas.forEach((p, r) -> partitions.put(p, PartitionAssignment.of(r)));
        return partitions;
    }

    /**
     * The first state of each new partition: leader the first live replica, in sync the live
     * replicas, leader epoch 0. Each is written only if no state is there yet, so one written
     * meanwhile (by the controller) is kept.
     * <p>
     * The controller's topic initializer writes the same first states, fenced, for partitions
     * that have none (a broker that died between writing the assignment and these); whichever
     * comes first stays. A broker is no controller: its states carry controller epoch -1.
     */
    private void writeInitialStates(String topic, Map<Integer, List<Integer>> assignment, Set<Integer> live) {
        int epoch = -1;
        assignment.forEach((p, replicas) -> {
            List<Integer> isr = replicas.stream().filter(live::contains).toList();
            // with no replica live, the state keeps the preferred one in the ISR and no leader
            PartitionState first = isr.isEmpty()
                    ? new PartitionState(-1, 0, List.of(replicas.get(0)), -1, epoch, LeaderRecoveryState.RECOVERED)
                    : new PartitionState(isr.get(0), 0, isr, -1, epoch, LeaderRecoveryState.RECOVERED);
            StateUpdate written = store.updatePartitionState(new TopicPartition(topic, p), Coordinator.ABSENT, first,
                    Optional.empty());
            if (!written.applied()) {
                LOG.info("Partition {}-{} already has a state, kept: {}", topic, p, written.state());
            }
        });
    }

    private List<Integer> liveBrokerIds() {
        List<Integer> ids = new ArrayList<>();
        for (BrokerRegistration b : coordinator.liveBrokers()) {
            ids.add(b.brokerId());
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public ApiError autoCreateTopic(String name) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return new ApiError(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (metadata.topic(name).isPresent()) {
            return ApiError.NONE;
        }
        if (!settings.get().autoCreateTopicsEnable() || TopicMetadata.isInternal(name)) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
        }
        ApiError result = createTopic(name, -1, (short) -1, Map.of(), Map.of(), false);
        return result.is(Errors.TOPIC_ALREADY_EXISTS) ? ApiError.NONE : result;
    }

    @Override
    public ApiError deleteTopic(String name) {
        if (!settings.get().deleteTopicEnable()) {
            return new ApiError(Errors.TOPIC_DELETION_DISABLED, "Topic deletion is disabled (delete.topic.enable=false)");
        }
        try {
            if (!store.deleteTopic(name)) {
                return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
            }
            reconciler.reconcileNow(name);
            LOG.info("Deleted topic {}", name);
            return ApiError.NONE;
        } catch (CoordinationException e) {
            return new ApiError(Errors.REQUEST_TIMED_OUT, e.getMessage());
        }
    }

    @Override
    public ApiError createPartitions(String name, int totalCount, List<List<Integer>> newAssignments,
            boolean validateOnly) {
        for (int attempt = 0; attempt < 5; attempt++) {
            ApiError result = tryCreatePartitions(name, totalCount, newAssignments, validateOnly);
            if (result != null) {
                return result;
            }
        }
        return new ApiError(Errors.REQUEST_TIMED_OUT, "Topic " + name + " kept changing concurrently; retry");
    }

    /** @return null when the topic changed between reading and writing it */
    private ApiError tryCreatePartitions(String name, int totalCount, List<List<Integer>> newAssignments,
            boolean validateOnly) {
        try {
            Optional<TopicRecord> found = store.topic(name);
            if (found.isEmpty()) {
                return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
            }
            TopicRecord topic = found.get();
            int current = topic.partitions().size();
            if (totalCount < current) {
                return new ApiError(Errors.INVALID_PARTITIONS, "Topic currently has " + current
                        + " partitions, which is higher than the requested " + totalCount + ".");
            }
            if (totalCount == current) {
                return new ApiError(Errors.INVALID_PARTITIONS, "Topic already has " + current + " partitions.");
            }
            List<Integer> live = liveBrokerIds();
            int rf = topic.partitions().get(0).replicas().size();
            int added = totalCount - current;
            SortedMap<Integer, List<Integer>> extra;
            if (newAssignments != null && !newAssignments.isEmpty()) {
                if (newAssignments.size() != added) {
                    return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "Increasing the number of partitions by "
                            + added + " but " + newAssignments.size() + " assignments provided.");
                }
                extra = new TreeMap<>();
                for (int i = 0; i < added; i++) {
                    ApiError error = validateReplicas(current + i, newAssignments.get(i), live, rf);
                    if (error != null) {
                        return error;
                    }
                    extra.put(current + i, List.copyOf(newAssignments.get(i)));
                }
            } else {
                if (rf > live.size()) {
                    return new ApiError(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + rf
                            + " time(s): only " + live.size() + " broker(s) are registered.");
                }
                int start = Math.max(0, live.indexOf(topic.partitions().get(0).replicas().get(0)));
                extra = ReplicaAssignment.assign(live, added, rf, current, start, random.nextInt(live.size()));
            }
            if (validateOnly) {
                return ApiError.NONE;
            }
            SortedMap<Integer, PartitionAssignment> grown = new TreeMap<>(topic.partitions());
            grown.putAll(assignments(extra));
            if (store.updateAssignment(name, topic.version(), grown, Optional.empty()) < 0) {
                return null;
            }
            writeInitialStates(name, extra, new HashSet<>(live));
            reconciler.reconcileNow(name);
            LOG.info("Grew topic {} from {} to {} partitions", name, current, totalCount);
            return ApiError.NONE;
        } catch (CoordinationException e) {
            return new ApiError(Errors.REQUEST_TIMED_OUT, e.getMessage());
        }
    }

    @Override
    public List<ConfigEntry> describeTopicConfig(String topic) {
        Optional<TopicView> view = metadata.topic(topic);
        if (view.isEmpty()) {
            return null;
        }
        return TopicConfigs.describe(view.get().configs(), settings.get().logDefaults(),
                settings.get().minInsyncReplicas());
    }

    @Override
    public List<ConfigEntry> describeBrokerConfig(String broker) {
        if (broker.isEmpty()) {
            return dynamicConfig.describe(broker, List.of());
        }
        String self = String.valueOf(settings.get().brokerId());
        return broker.equals(self) ? dynamicConfig.describe(self, describeBrokerConfig()) : null;
    }

    @Override
    public ApiError alterBrokerConfig(String broker, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        return dynamicConfig.alter(broker, changes, incremental, validateOnly);
    }

    @Override
    public List<ConfigEntry> describeBrokerConfig() {
        return settings.get().brokerConfig();
    }

    @Override
    public ApiError alterTopicConfig(String topic, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        try {
            if (store.topic(topic).isEmpty()) {
                return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + topic + " does not exist");
            }
            Map<String, String> next = new TreeMap<>(incremental ? store.configs("topics", topic) : Map.of());
            changes.forEach((k, v) -> {
                if (v == null) {
                    next.remove(k);
                } else {
                    next.put(k, v);
                }
            });
            String error = TopicConfigs.validate(next, settings.get().logDefaults());
            if (error != null) {
                return new ApiError(Errors.INVALID_CONFIG, error);
            }
            if (validateOnly) {
                return ApiError.NONE;
            }
            store.writeConfigs("topics", topic, next);
            reconciler.reconcileNow(topic);
            LOG.info("Topic {} config overrides now {}", topic, next);
            return ApiError.NONE;
        } catch (CoordinationException e) {
            return new ApiError(Errors.REQUEST_TIMED_OUT, e.getMessage());
        }
    }
}
