package io.samsa.broker;

import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.Delayed;
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
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.storage.StorageEngine;

/**
 * One running broker, independent of OSGi: registration and controller candidacy in the
 * coordinator, topic metadata (through the cluster metadata store; the controller id Metadata
 * answers is the one the store reads, not this broker's own candidacy), partition logs, delayed
 * operations and retention, and the four broker services built on them.
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
    private final LocalTopicAdmin topicAdmin;
    private final ProducerIdAllocator producerIds;
    private final RetentionScheduler retention;
    private volatile int controllerEpoch;
    private volatile Election election;
    private BrokerSession session;

    BrokerServer(BrokerSettings settings, Coordinator coordinator, ClusterMetadataStore store, StorageEngine engine) {
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
        this.registry = new PartitionRegistry(settings.brokerId(), new LogDirs(settings.logDirs()), engine,
                this::replicasOffline);
        this.metadata = new MetadataCache(coordinator.clusterId(), settings.brokerId());
        this.partitions = new LocalPartitionService(registry, metadata, delayedOps);
        this.reconciler = new TopicReconciler(coordinator, store, metadata, registry, settings.brokerId(),
                () -> this.settings.logDefaults(), this::partitionChanged);
        this.topicAdmin = new LocalTopicAdmin(coordinator, store, reconciler, metadata,
                () -> this.settings, () -> controllerEpoch);
        this.producerIds = new ProducerIdAllocator(coordinator, settings.brokerId());
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
            election = coordinator.electController(settings.brokerId(), new ControllerListener());
            reconciler.start();
            retention.start(settings.retentionCheckIntervalMs(), settings.cleanerBackoffMs());
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
        reconciler.close();
        partitions.delayedFetches().completeAll();
        delayedOps.shutdown();
        registry.closeAll();
        try {
            delayedOps.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (election != null) {
            election.close();
            election = null;
        }
        if (session != null) {
            session.close();
            session = null;
        }
        LOG.info("{}shut down", prefix);
    }

    /**
     * Applies settings that leave the broker's identity alone (see {@link BrokerSettings#IDENTITY_KEYS})
     * while it serves: topics without their own override take the new log defaults at once, through
     * the same path as a topic config change, and no connection or partition is closed.
     */
    void reconfigure(BrokerSettings next) {
        BrokerSettings previous = settings;
        settings = next;
        if (!previous.logDefaults().equals(next.logDefaults())) {
            reconciler.reconcileAllNow();
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
        metadata.replicasOffline(offline);
        offline.forEach(this::partitionChanged);
        // Re-derives the views on the metadata thread, in case it was applying an older state meanwhile.
        reconciler.refresh(offline.stream().map(TopicPartition::topic).collect(Collectors.toSet()));
    }

    private void partitionChanged(TopicPartition tp) {
        partitions.delayedFetches().partitionChanged(tp);
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

    PartitionRegistry registry() {
        return registry;
    }

    /** Timeouts of acks=all writes and long polls queued to fire later than {@code millis} from now, for tests. */
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

    private final class ControllerListener implements ElectionListener {
        @Override
        public void elected(int epoch) {
            controllerEpoch = epoch;
            LOG.info("{}elected controller with epoch {}", prefix, epoch);
        }

        @Override
        public void resigned() {
            LOG.info("{}no longer the controller", prefix);
        }
    }
}
