package io.samsa.broker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.SessionListener;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.ReplicaHost;
import io.samsa.api.replication.ReplicationEngine;
import io.samsa.api.replication.ReplicationRuntime;
import io.samsa.api.storage.StorageEngine;

/**
 * One running broker, independent of OSGi: registration in the
 * coordinator, topic metadata (through the cluster metadata store; the controller id Metadata
 * answers is the one the store reads), partition logs, the replication runtime that leads and
 * follows them, delayed operations, high watermark checkpoints and retention, and the four broker
 * services built on them.
 */
final class BrokerServer {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);

    /** Replaced by {@link #reconfigure}; everything that reads it at run time goes through a supplier. */
    private volatile BrokerSettings settings;
    private final Coordinator coordinator;
    private final String prefix;
    private final ScheduledThreadPoolExecutor delayedOps;
    private final PartitionRegistry registry;
    private final MetadataCache metadata;
    private final TopicReconciler reconciler;
    private final LocalPartitionService partitions;
    private final BrokerTopicStats topicStats = new BrokerTopicStats();
    private final LocalTopicAdmin topicAdmin;
    private final ProducerIdAllocator producerIds;
    private final RetentionScheduler retention;
    private final ReplicationEngine replicationEngine;
    private final ScheduledExecutorService checkpointThread;
    private ScheduledFuture<?> checkpointTask;
    private volatile BrokerSession session;
    /** The current registration's epoch; a re-registration after a session loss changes it. */
    private volatile long brokerEpoch = -1;
    /** Null until registered, and again once stopped. */
    private volatile ReplicationRuntime replication;

    BrokerServer(BrokerSettings settings, Coordinator coordinator, ClusterMetadataStore store, StorageEngine engine,
            ReplicationEngine replicationEngine) {
        this.settings = settings;
        this.coordinator = coordinator;
        this.prefix = "[KafkaServer id=" + settings.brokerId() + "] ";
        this.delayedOps = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "samsa-delayed-ops-" + settings.brokerId());
            t.setDaemon(true);
            return t;
        });
        delayedOps.setRemoveOnCancelPolicy(true);
        delayedOps.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.replicationEngine = replicationEngine;
        this.checkpointThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "samsa-hw-checkpoint-" + settings.brokerId());
            t.setDaemon(true);
            return t;
        });
        this.registry = new PartitionRegistry(new LogDirs(settings.logDirs()), engine, this::replicasOffline,
                this::readableChanged);
        this.metadata = new MetadataCache(coordinator.clusterId(), settings.brokerId(), this::holdsLease);
        this.partitions = new LocalPartitionService(registry, metadata, delayedOps, topicStats);
        this.reconciler = new TopicReconciler(coordinator, store, metadata, registry, settings.brokerId(),
                () -> this.settings.logDefaults(), this::partitionChanged, this::replication,
                () -> this.settings.minInsyncReplicas());
        this.topicAdmin = new LocalTopicAdmin(coordinator, store, reconciler, metadata,
                () -> this.settings);
        this.producerIds = new ProducerIdAllocator(store, settings.brokerId());
        this.retention = new RetentionScheduler(registry, settings.brokerId());
    }

    /** Registers, loads metadata and opens local logs; when it returns the services may be published. */
    void start() throws IOException {
        LOG.info("{}starting (cluster {}, storage engine {}, log dirs {})", prefix, coordinator.clusterId(),
                registry.engine().name(), settings.logDirs());
        try {
            registry.logDirs().checkAtStartup();
            configureCleaner(registry.engine());
            session = coordinator.registerBroker(new BrokerRegistration(settings.brokerId(), settings.host(),
                    settings.port(), settings.rack(), 0));
            LOG.info("{}registered as {}:{} with epoch {}", prefix, settings.host(), settings.port(), session.epoch());
            followRegistration(session);
            replication = replicationEngine.start(new Host());
            reconciler.start();
            retention.start(settings.retentionCheckIntervalMs(), settings.cleanerBackoffMs());
            scheduleCheckpoints(settings.highWatermarkCheckpointIntervalMs());
        } catch (IOException | RuntimeException e) {
            LOG.error("{}start failed", prefix, e);
            stop();
            throw e;
        }
        if (!registry.logDirs().offline().isEmpty()) {
            LOG.warn("{}serving from log dirs {}; offline: {}", prefix, registry.logDirs().online(),
                    registry.logDirs().offline().keySet());
        }
        LOG.info("{}broker services ready", prefix);
    }

    void stop() {
        LOG.info("{}shutting down", prefix);
        retention.close();
        ControlledShutdown handover = null;
        if (replication != null && session != null && settings.controlledShutdown().enable()) {
            // before the reconciler stops: it applies the states that take the leaderships away
            handover = new ControlledShutdown(coordinator, settings.brokerId(), () -> brokerEpoch,
                    this::movableLeaderships, prefix);
            try {
                handover.run(settings.controlledShutdown().maxRetries(), settings.controlledShutdown().backoffMs());
            } catch (RuntimeException e) {
                LOG.error("{}controlled shutdown failed; stopping while still leading", prefix, e);
            }
        }
        reconciler.close();
        ReplicationRuntime running = replication;
        if (running != null) {
            // Fetchers stop and leaderships end (waiting writes answered) before any log closes.
            try {
                running.close();
            } catch (RuntimeException e) {
                LOG.error("{}stopping replication failed", prefix, e);
            }
        }
        partitions.delayedFetches().completeAll();
        delayedOps.shutdown();
        checkpointThread.shutdown();
        try {
            checkpointThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (running != null) {
            // A clean shutdown leaves the latest high watermarks for the next start.
            registry.checkpointHighWatermarks();
        }
        registry.closeAll();
        try {
            delayedOps.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (handover != null) {
            handover.withdraw();
        }
        if (session != null) {
            session.close();
            session = null;
        }
        replication = null;
        LOG.info("{}shut down", prefix);
    }

    /** The partitions this broker leads whose ISR holds another replica to take over. */
    private List<TopicPartition> movableLeaderships() {
        List<TopicPartition> led = new ArrayList<>();
        for (Partition p : registry.all()) {
            LeaderReplica leader = p.leadership();
            if (leader != null && leader.active() && leader.isr().stream().anyMatch(id -> id != settings.brokerId())) {
                led.add(p.topicPartition());
            }
        }
        return led;
    }

    /** The epoch the replication runtime reports as this broker's follows every re-registration. */
    private void followRegistration(BrokerSession registered) {
        brokerEpoch = registered.epoch();
        try {
            registered.addListener(new SessionListener() {
                @Override
                public void registered(long epoch) {
                    long previous = brokerEpoch;
                    brokerEpoch = epoch;
                    if (previous != epoch) {
                        LOG.info("{}registered again with epoch {} (was {})", prefix, epoch, previous);
                    }
                }
            });
        } catch (UnsupportedOperationException e) {
            LOG.warn("{}the coordinator reports no re-registrations ({}); the broker epoch stays {}", prefix,
                    e.getMessage(), brokerEpoch);
        }
    }

    private synchronized void scheduleCheckpoints(long intervalMs) {
        if (checkpointTask != null) {
            checkpointTask.cancel(false);
        }
        checkpointTask = checkpointThread.scheduleWithFixedDelay(this::checkpointHighWatermarks, intervalMs,
                intervalMs, TimeUnit.MILLISECONDS);
    }

    private void checkpointHighWatermarks() {
        try {
            registry.checkpointHighWatermarks();
        } catch (RuntimeException e) {
            LOG.error("{}checkpointing high watermarks failed", prefix, e);
        }
    }

    /**
     * Applies settings that leave the broker's identity alone (see {@link BrokerSettings#IDENTITY_KEYS})
     * while it serves: topics without their own override take the new log defaults at once, through
     * the same path as a topic config change, and no connection or partition is closed.
     */
    void reconfigure(BrokerSettings next) {
        BrokerSettings previous = settings;
        settings = next;
        if (!previous.logDefaults().equals(next.logDefaults())
                || previous.minInsyncReplicas() != next.minInsyncReplicas()) {
            reconciler.reconcileAllNow();
        }
        if (previous.highWatermarkCheckpointIntervalMs() != next.highWatermarkCheckpointIntervalMs()) {
            scheduleCheckpoints(next.highWatermarkCheckpointIntervalMs());
        }
        if (previous.retentionCheckIntervalMs() != next.retentionCheckIntervalMs()) {
            retention.reschedule(next.retentionCheckIntervalMs());
        }
        if (previous.cleanerBackoffMs() != next.cleanerBackoffMs()) {
            retention.rescheduleCleaner(next.cleanerBackoffMs());
        }
        if (!previous.cleaner().equals(next.cleaner())) {
            configureCleaner(registry.engine());
        }
    }

    /** The engine's compactions follow the broker's log.cleaner.* settings. */
    private void configureCleaner(StorageEngine engine) {
        try {
            engine.configureCleaner(settings.cleaner());
        } catch (RuntimeException e) {
            LOG.error("{}storage engine {} refused the cleaner settings {}; its compactions keep their previous ones",
                    prefix, engine.name(), settings.cleaner(), e);
        }
    }

    /**
     * Quiesces each partition (appends wait on its lock), closes its log opened through the old
     * engine and re-opens it through {@code next}. Fetches in flight on a closed log fail with a
     * retriable error; parked fetches answer at once.
     */
    void swapStorage(StorageEngine next) {
        StorageEngine old = registry.engine();
        if (old == next) {
            return;
        }
        configureCleaner(next);
        long start = System.nanoTime();
        int reopened = registry.reopenAll(next);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        partitions.delayedFetches().completeAll();
        LOG.info("Storage engine now {} (was {}); {} partitions reopened in {} ms", next.name(), old.name(), reopened,
                ms);
    }

    /**
     * Replicas here went offline with their log dir: Metadata lists this broker as their offline
     * replica at once, and fetches parked on them answer KAFKA_STORAGE_ERROR now.
     */
    private void replicasOffline(Collection<TopicPartition> offline) {
        ReplicationRuntime running = replication;
        if (running != null) {
            offline.forEach(running::remove);
        }
        metadata.replicasOffline(offline);
        offline.forEach(this::partitionChanged);
        // Re-derives the views on the metadata thread, in case it was applying an older state meanwhile.
        reconciler.refresh(offline.stream().map(TopicPartition::topic).collect(Collectors.toSet()));
    }

    private void partitionChanged(TopicPartition tp) {
        partitions.delayedFetches().partitionChanged(tp);
    }

    private void readableChanged(TopicPartition tp) {
        partitions.delayedFetches().readableChanged(tp);
    }

    /** The running replication; the metadata thread only applies states once it is started. */
    ReplicationRuntime replication() {
        ReplicationRuntime running = replication;
        if (running == null) {
            throw new IllegalStateException("Broker " + settings.brokerId() + " has no replication runtime: not "
                    + "registered yet, or stopped");
        }
        return running;
    }

    BrokerSettings settings() {
        return settings;
    }

    StorageEngine engine() {
        return registry.engine();
    }

    ClusterView clusterView() {
        return metadata;
    }

    TopicAdmin topicAdmin() {
        return topicAdmin;
    }

    PartitionService partitionService() {
        return partitions;
    }

    ProducerIdService producerIds() {
        return producerIds;
    }

    BrokerTopicStats topicStats() {
        return topicStats;
    }

    PartitionRegistry registry() {
        return registry;
    }

    /** Timeouts of long polls queued to fire later than {@code millis} from now, for tests. */
    int delayedOperationsDueAfter(long millis) {
        int due = 0;
        for (Runnable task : delayedOps.getQueue()) {
            if (task instanceof Delayed d && d.getDelay(TimeUnit.MILLISECONDS) > millis) {
                due++;
            }
        }
        return due;
    }

    RetentionScheduler retention() {
        return retention;
    }

    /** Returns once the metadata thread has applied what was queued before, re-reading every topic. */
    void awaitMetadata() {
        reconciler.reconcileAllNow();
    }

    int parkedFetches() {
        return partitions.delayedFetches().parked();
    }

    /** Whether this broker may be sure it is still registered: its session's lease has not run out. */
    private boolean holdsLease() {
        BrokerSession s = session;
        try {
            return s != null && s.holdsLease();
        } catch (UnsupportedOperationException e) {
            return s != null; // a coordinator that keeps no lease: registered is all it can tell
        }
    }

    /** This broker as the replication runtime sees it. */
    private final class Host implements ReplicaHost {
        @Override
        public int brokerId() {
            return settings.brokerId();
        }

        @Override
        public long brokerEpoch() {
            return brokerEpoch;
        }

        @Override
        public boolean holdsLease() {
            return BrokerServer.this.holdsLease();
        }

        @Override
        public ClusterView cluster() {
            return metadata;
        }
    }
}
