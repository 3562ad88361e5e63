package io.samsa.broker;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.MetadataListener;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.ReplicationRuntime;
import io.samsa.api.replication.TopicRecord;
import io.samsa.api.storage.LogConfig;

/**
 * Keeps this broker in step with the cluster metadata: opens the logs of partitions assigned
 * here, applies leadership and config changes, deletes the logs of deleted topics, and refreshes
 * the {@link MetadataCache} (the controller id included).
 * <p>
 * All of it runs on one metadata thread, fed by the store's {@link ClusterMetadataStore#watch
 * watch} (whose listener only enqueues work) and by this broker's own writes (which wait for
 * their change to be applied). The watch covers the partition states too, so a leader or ISR
 * written by another broker or the controller reaches the cache and the local partition; such a
 * change re-reads only that partition's state.
 */
final class TopicReconciler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReconciler.class);

    private final Coordinator coordinator;
    private final ClusterMetadataStore store;
    private final MetadataCache cache;
    private final PartitionRegistry registry;
    private final int brokerId;
    private final Supplier<LogConfig> logDefaults;
    private final Consumer<TopicPartition> partitionChanged;
    private final Supplier<ReplicationRuntime> replication;
    private final IntSupplier defaultMinInsyncReplicas;
    private final ExecutorService thread;
    private Watch watch;
    /** The topics as last applied, by name; touched only on the metadata thread. */
    private final Map<String, TopicRecord> topics = new HashMap<>();
    /** What each local replica was last applied with; metadata thread only. */
    private final Map<TopicPartition, AppliedState> applied = new HashMap<>();
    private volatile Thread metadataThread;
    private volatile boolean closed;
    /** False while the topics that existed before this broker started are loaded; metadata thread only. */
    private boolean loaded;

    TopicReconciler(Coordinator coordinator, ClusterMetadataStore store, MetadataCache cache,
            PartitionRegistry registry, int brokerId, Supplier<LogConfig> logDefaults,
            Consumer<TopicPartition> partitionChanged, Supplier<ReplicationRuntime> replication,
            IntSupplier defaultMinInsyncReplicas) {
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
            // watching first, then loading, then the watch's first resync loading again: no change
            // written before the coordinator's watches were in place is missed
            watch = store.watch(new Changes());
            reconcileAll();
            loaded = true;
            for (var dir : registry.unclaimedDirectories(topics.keySet())) {
                LOG.warn("Log directory {} belongs to no topic in the cluster metadata; leaving it in place", dir);
            }
        });
    }

    /** Applies the stored state of {@code topic} now; for this broker's own writes. */
    void reconcileNow(String topic) {
        runNow(() -> reconcileTopic(topic));
    }

    /** Re-reads {@code topics} on the metadata thread, e.g. after replicas here went offline. */
    void refresh(Collection<String> names) {
        for (String name : names) {
            submit(() -> {
                if (topics.containsKey(name)) {
                    reconcileTopic(name);
                }
            });
        }
    }

    /** Re-reads everything now, e.g. after the broker's log defaults changed. */
    void reconcileAllNow() {
        runNow(this::reconcileAll);
    }

    /** The store's events, turned into work for the metadata thread. */
    private final class Changes implements MetadataListener {
        /**
         * The first one too, though {@link #start} has just loaded everything: it comes once the
         * coordinator's watches are in place, which may be after that load read the tree.
         */
        @Override
        public void resync() {
            submit(TopicReconciler.this::reconcileAll);
        }

        @Override
        public void topicChanged(String topic) {
            submit(() -> reconcileTopic(topic));
        }

        @Override
        public void configChanged(String entityType, String entityName) {
            if (entityType.equals("topics")) {
                submit(() -> {
                    if (topics.containsKey(entityName)) {
                        reconcileTopic(entityName);
                    }
                });
            }
        }

        @Override
        public void partitionStateChanged(TopicPartition partition) {
            submit(() -> reconcilePartition(partition));
        }

        @Override
        public void brokersChanged() {
            submit(TopicReconciler.this::refreshBrokers);
        }

        @Override
        public void controllerChanged() {
            submit(TopicReconciler.this::refreshController);
        }
    }

    private void reconcileAll() {
        refreshBrokers();
        refreshController();
        Set<String> names = new TreeSet<>(store.topicNames());
        Set<String> known = new TreeSet<>(topics.keySet());
        cache.topics().forEach(t -> known.add(t.name()));
        registry.all().forEach(p -> known.add(p.topicPartition().topic()));
        registry.offlinePartitions().forEach(tp -> known.add(tp.topic()));
        for (String name : known) {
            if (!names.contains(name)) {
                removeTopic(name);
            }
        }
        for (String name : names) {
            reconcileTopic(name);
        }
    }

    private void refreshBrokers() {
        cache.setBrokers(coordinator.liveBrokers());
    }

    private void refreshController() {
        cache.setControllerId(store.controllerId().orElse(-1));
    }

    private void reconcileTopic(String name) {
        Optional<TopicRecord> topic = store.topic(name);
        if (topic.isPresent()) {
            apply(topic.get());
        } else {
            removeTopic(name);
        }
    }

    /** A partition's state changed: re-reads that state alone when the topic is known, else the topic. */
    private void reconcilePartition(TopicPartition tp) {
        TopicRecord known = topics.get(tp.topic());
        if (known == null || !known.partitions().containsKey(tp.partition())) {
            reconcileTopic(tp.topic());
            return;
        }
        Optional<PartitionState> state = store.partitionState(tp);
        Map<Integer, PartitionState> states = new HashMap<>(known.states());
        if (state.isPresent()) {
            states.put(tp.partition(), state.get());
        } else {
            states.remove(tp.partition());
        }
        TopicRecord updated = new TopicRecord(known.name(), known.topicId(), known.version(), known.partitions(),
                states, known.configs());
        topics.put(updated.name(), updated);
        Partition partition = registry.get(tp);
        if (partition != null) {
            applyLeadership(updated, tp, partition);
        }
        publish(updated);
    }

    private void apply(TopicRecord topic) {
        TopicRecord previous = topics.put(topic.name(), topic);
        Optional<TopicView> old = cache.topic(topic.name());
        Uuid oldId = previous != null ? previous.topicId() : old.map(TopicView::topicId).orElse(null);
        if (oldId != null && !oldId.equals(topic.topicId())) {
            LOG.info("Topic {} was re-created with id {} (was {})", topic.name(), topic.topicId(), oldId);
            deleteLocalPartitions(topic.name());
        }
        LogConfig config = TopicConfigs.effective(topic.configs(), logDefaults.get());
        long now = System.currentTimeMillis();
        for (Map.Entry<Integer, PartitionAssignment> e : topic.partitions().entrySet()) {
            TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
            Partition partition = registry.get(tp);
            if (!e.getValue().contains(brokerId)) {
                if (partition != null || registry.isOffline(tp)) {
                    // reassigned away (the controller finishes a move only once the target holds the log in
                    // sync): as Kafka's StopReplica with deletion, the copy here is of no more use
                    LOG.info("{} is no longer assigned to broker {} (replicas {}); deleting its replica here", tp,
                            brokerId, e.getValue().replicas());
                    removeReplica(tp);
                    registry.delete(tp);
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
            applyLeadership(topic, tp, partition);
        }
        publish(topic);
    }

    /**
     * Hands the partition's stored state to the replication runtime, unless the runtime already
     * has exactly this state for this replica: every watch event re-reads the store, and most of
     * them (a config change, a resync, another partition's state) leave this partition as it was.
     */
    private void applyLeadership(TopicRecord topic, TopicPartition tp, Partition partition) {
        PartitionState state = topic.state(tp.partition());
        PartitionAssignment assignment = topic.partitions().get(tp.partition());
        ReplicaSettings settings = new ReplicaSettings(TopicConfigs.minInsyncReplicas(topic.configs(),
                defaultMinInsyncReplicas.getAsInt()));
        AppliedState next = new AppliedState(partition, assignment, state, settings);
        if (next.equals(applied.get(tp))) {
            return;
        }
        Optional<LeaderReplica> leadership = replication.get().apply(partition, assignment, state, settings);
        applied.put(tp, next);
        if (partition.applyLeadership(leadership, state.leaderEpoch())) {
            partitionChanged.accept(tp);
        }
    }

    /** Stops replicating {@code tp}: its replica is closed or deleted here. */
    private void removeReplica(TopicPartition tp) {
        applied.remove(tp);
        replication.get().remove(tp);
    }

    /** What the runtime was last given for a partition; the replica is compared by identity. */
    private record AppliedState(Partition replica, PartitionAssignment assignment, PartitionState state,
            ReplicaSettings settings) {
    }

    private void publish(TopicRecord topic) {
        cache.put(TopicMetadata.view(topic, p -> registry.isOffline(new TopicPartition(topic.name(), p)), brokerId));
    }

    private void removeTopic(String name) {
        topics.remove(name);
        cache.remove(name);
        deleteLocalPartitions(name);
    }

    private void deleteLocalPartitions(String topic) {
        Set<TopicPartition> local = new HashSet<>(registry.offlinePartitions());
        registry.all().forEach(p -> local.add(p.topicPartition()));
        for (TopicPartition tp : local) {
            if (tp.topic().equals(topic)) {
                removeReplica(tp);
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
                if (watch != null) {
                    watch.close();
                    watch = null;
                }
                topics.clear();
            });
        } catch (RuntimeException e) {
            LOG.debug("Closing watches failed", e);
        }
        thread.shutdown();
    }
}
