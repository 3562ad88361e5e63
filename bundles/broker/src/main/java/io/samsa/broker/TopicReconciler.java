package io.samsa.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.ReplicationRuntime;
import io.samsa.api.storage.LogConfig;
import io.samsa.broker.TopicMetadata.PartitionState;

/**
 * Keeps this broker in step with the topic metadata in the coordinator: opens the logs of
 * partitions assigned here, applies leadership and config changes, deletes the logs of deleted
 * topics, and refreshes the {@link MetadataCache}.
 * <p>
 * All of it runs on one metadata thread, fed by coordinator watches (which only enqueue work)
 * and by this broker's own writes (which wait for their change to be applied).
 */
final class TopicReconciler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReconciler.class);
    static final String BROKER_IDS = "/brokers/ids";

    private final Coordinator coordinator;
    private final TopicMetadataStore store;
    private final MetadataCache cache;
    private final PartitionRegistry registry;
    private final int brokerId;
    private final Supplier<LogConfig> logDefaults;
    private final Consumer<TopicPartition> partitionChanged;
    private final Supplier<ReplicationRuntime> replication;
    private final IntSupplier defaultMinInsyncReplicas;
    private final ExecutorService thread;
    private final List<Watch> watches = new ArrayList<>();
    /** Watches per known topic; touched only on the metadata thread. */
    private final Map<String, List<Watch>> topicWatches = new HashMap<>();
    private volatile Thread metadataThread;
    private volatile boolean closed;
    /** False while the topics that existed before this broker started are loaded; metadata thread only. */
    private boolean loaded;

    TopicReconciler(Coordinator coordinator, TopicMetadataStore store, MetadataCache cache, PartitionRegistry registry,
            int brokerId, Supplier<LogConfig> logDefaults, Consumer<TopicPartition> partitionChanged,
            Supplier<ReplicationRuntime> replication, IntSupplier defaultMinInsyncReplicas) {
        this.coordinator = coordinator;
        this.store = store;
        this.cache = cache;
        this.registry = registry;
        this.brokerId = brokerId;
        this.logDefaults = logDefaults;
        this.partitionChanged = partitionChanged;
        this.replication = replication;
        this.defaultMinInsyncReplicas = defaultMinInsyncReplicas;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "samsa-metadata-" + brokerId);
            t.setDaemon(true);
            metadataThread = t;
            return t;
        });
    }

    /** Loads every topic (opening local logs) before returning, then follows changes. */
    void start() {
        runNow(() -> {
            reconcileAll();
            loaded = true;
            watches.add(coordinator.watch(TopicMetadataStore.TOPICS, () -> submit(this::reconcileAll)));
            watches.add(coordinator.watch(BROKER_IDS, () -> submit(this::refreshBrokers)));
            for (var dir : registry.unclaimedDirectories(topicWatches.keySet())) {
                LOG.warn("Log directory {} belongs to no topic in the cluster metadata; leaving it in place", dir);
            }
        });
    }

    /** Applies the stored state of {@code topic} now; for this broker's own writes. */
    void reconcileNow(String topic) {
        runNow(() -> {
            watchTopic(topic);
            reconcileTopic(topic);
        });
    }

    /** Re-reads {@code topics} on the metadata thread, e.g. after replicas here went offline. */
    void refresh(Collection<String> topics) {
        for (String name : topics) {
            submit(() -> {
                if (topicWatches.containsKey(name)) {
                    reconcileTopic(name);
                }
            });
        }
    }

    /** Re-reads everything now, e.g. after the broker's log defaults changed. */
    void reconcileAllNow() {
        runNow(this::reconcileAll);
    }

    private void reconcileAll() {
        refreshBrokers();
        Set<String> names = new TreeSet<>(store.topicNames());
        Set<String> known = new TreeSet<>(topicWatches.keySet());
        cache.topics().forEach(t -> known.add(t.name()));
        registry.all().forEach(p -> known.add(p.topicPartition().topic()));
        registry.offlinePartitions().forEach(tp -> known.add(tp.topic()));
        for (String name : known) {
            if (!names.contains(name)) {
                removeTopic(name);
            }
        }
        for (String name : names) {
            watchTopic(name);
            reconcileTopic(name);
        }
    }

    private void refreshBrokers() {
        cache.setBrokers(coordinator.liveBrokers());
    }

    private void watchTopic(String name) {
        if (topicWatches.containsKey(name)) {
            return;
        }
        Runnable onChange = () -> submit(() -> {
            if (topicWatches.containsKey(name)) {
                reconcileTopic(name);
            }
        });
        topicWatches.put(name, List.of(coordinator.watch(TopicMetadataStore.topicPath(name), onChange),
                coordinator.watch(TopicMetadataStore.configPath(name), onChange)));
    }

    private void reconcileTopic(String name) {
        Optional<TopicMetadata> topic = store.read(name);
        if (topic.isPresent()) {
            apply(topic.get());
        } else if (coordinator.read(TopicMetadataStore.topicPath(name)).isEmpty()) {
            removeTopic(name);
        }
    }

    private void apply(TopicMetadata topic) {
        Optional<TopicView> old = cache.topic(topic.name());
        if (old.isPresent() && !old.get().topicId().equals(topic.topicId())) {
            LOG.info("Topic {} was re-created with id {} (was {})", topic.name(), topic.topicId(),
                    old.get().topicId());
            deleteLocalPartitions(topic.name());
        }
        LogConfig config = TopicConfigs.effective(topic.configs(), logDefaults.get());
        long now = System.currentTimeMillis();
        for (Map.Entry<Integer, List<Integer>> e : topic.assignment().entrySet()) {
            TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
            Partition partition = registry.get(tp);
            if (!e.getValue().contains(brokerId)) {
                if (partition != null || registry.isOffline(tp)) {
                    replication.get().remove(tp);
                    registry.close(tp);
                    partitionChanged.accept(tp);
                }
                continue;
            }
            if (partition == null) {
                if (registry.inOfflineLogDir(tp)) {
                    continue; // stays offline until the broker restarts
                }
                try {
                    partition = registry.open(tp, topic.topicId(), config, now, loaded);
                } catch (Exception ex) {
                    if (LogDirs.isStorageFailure(ex)) {
                        LOG.error("Cannot open the log of {}; the partition is offline on this broker: {}", tp,
                                ex.getMessage());
                    } else {
                        LOG.error("Cannot open the log of {}; the partition is offline on this broker", tp, ex);
                    }
                    continue;
                }
            } else if (!partition.config().equals(config)) {
                partition.updateConfig(config);
                LOG.info("Applied new log config to {}", tp);
            }
            PartitionState state = topic.states().getOrDefault(e.getKey(), PartitionState.NONE);
            Optional<LeaderReplica> leadership = replication.get().apply(partition,
                    PartitionAssignment.of(e.getValue()), replicationState(state),
                    new ReplicaSettings(TopicConfigs.minInsyncReplicas(topic.configs(),
                            defaultMinInsyncReplicas.getAsInt())));
            if (partition.applyLeadership(leadership, state.leaderEpoch())) {
                partitionChanged.accept(tp);
            }
        }
        cache.put(topic.toView(p -> registry.isOffline(new TopicPartition(topic.name(), p)), brokerId));
    }

    /**
     * Adapter from the broker's stored state to the replication API's, until the cluster-metadata
     * store hands out the API type itself (with the partition epoch, which is not read here yet).
     */
    private static io.samsa.api.replication.PartitionState replicationState(PartitionState s) {
        return s == PartitionState.NONE ? io.samsa.api.replication.PartitionState.NONE
                : new io.samsa.api.replication.PartitionState(s.leader(), s.leaderEpoch(), s.isr(), -1,
                        s.controllerEpoch(), LeaderRecoveryState.RECOVERED);
    }

    private void removeTopic(String name) {
        List<Watch> w = topicWatches.remove(name);
        if (w != null) {
            w.forEach(Watch::close);
        }
        cache.remove(name);
        deleteLocalPartitions(name);
    }

    private void deleteLocalPartitions(String topic) {
        Set<TopicPartition> local = new HashSet<>(registry.offlinePartitions());
        registry.all().forEach(p -> local.add(p.topicPartition()));
        for (TopicPartition tp : local) {
            if (tp.topic().equals(topic)) {
                replication.get().remove(tp);
                registry.delete(tp);
                partitionChanged.accept(tp);
            }
        }
    }

    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Applying a metadata change failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Metadata thread stopped; change ignored");
        }
    }

    private void runNow(Runnable task) {
        if (Thread.currentThread() == metadataThread) {
            task.run();
            return;
        }
        Future<?> f = thread.submit(task);
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while applying metadata", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            runNow(() -> {
                watches.forEach(Watch::close);
                topicWatches.values().forEach(ws -> ws.forEach(Watch::close));
                topicWatches.clear();
            });
        } catch (RuntimeException e) {
            LOG.debug("Closing watches failed", e);
        }
        thread.shutdown();
    }
}
