package io.samsa.broker;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.storage.StorageEngine;

/**
 * The broker's lifecycle as a component: starts a {@link BrokerServer} on the bound
 * coordinator and storage engine and publishes ClusterView, TopicAdmin, PartitionService and
 * ProducerIdService once it is ready, so that front ends only see a broker that can serve.
 * <p>
 * The storage engine is bound greedily and dynamically: a better-ranked engine, or a changed
 * {@code storage.target}, re-opens every partition through the new engine without restarting.
 */
@Component(configurationPid = {KafkaBroker.PID, KafkaBroker.STORAGE_PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public class KafkaBroker {

    static final String PID = "io.samsa.broker";
    /**
     * The storage engine choice alone, merged over {@link #PID}. A whole configuration of its own
     * so that replacing it (a {@code .cfg} file in the hot-deploy folder replaces every property
     * of its PID) cannot reset the broker's id or log dirs.
     */
    static final String STORAGE_PID = "io.samsa.broker.storage";
    /** Set by Felix FileInstall on the configurations it creates from the hot-deploy folder. */
    private static final String FILEINSTALL_FILE = "felix.fileinstall.filename";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    // Designated through pid = ... : bnd allows @Designate only on a component with a single PID.
    @ObjectClassDefinition(id = PID, pid = PID, name = "Samsa Kafka broker",
            description = "Broker identity, log directories, topic defaults and log retention (Kafka's server.properties names)")
    public @interface Config {
        @AttributeDefinition(description = "Unique id of this broker in the cluster")
        int broker_id() default 0;

        @AttributeDefinition(description = "Comma-separated directories holding partition logs; one with a disk error "
                + "goes offline alone and its partitions answer KAFKA_STORAGE_ERROR until the broker restarts")
        String log_dirs() default "data/kafka-logs";

        @AttributeDefinition(description = "Rack of this broker, empty for none")
        String broker_rack() default "";

        @AttributeDefinition(description = "Default number of partitions of a new topic")
        int num_partitions() default 1;

        @AttributeDefinition(description = "Default replication factor of a new topic")
        int default_replication_factor() default 1;

        @AttributeDefinition(description = "Default min.insync.replicas of a topic: the fewest in-sync replicas an "
                + "acks=all produce needs")
        int min_insync_replicas() default 1;

        boolean delete_topic_enable() default true;

        boolean auto_create_topics_enable() default true;

        int log_retention_hours() default 168;

        @AttributeDefinition(description = "-1: use log.retention.hours")
        int log_retention_minutes() default -1;

        @AttributeDefinition(description = "-1: use log.retention.minutes")
        long log_retention_ms() default -1;

        @AttributeDefinition(description = "Size retention per partition; -1 keeps all")
        long log_retention_bytes() default -1;

        int log_segment_bytes() default 1073741824;

        int log_roll_hours() default 168;

        @AttributeDefinition(description = "-1: use log.roll.hours")
        long log_roll_ms() default -1;

        int log_index_interval_bytes() default 4096;

        long log_retention_check_interval_ms() default 300000;

        long log_flush_interval_messages() default Long.MAX_VALUE;

        long log_flush_interval_ms() default Long.MAX_VALUE;

        @AttributeDefinition(description = "Largest record batch a topic accepts by default")
        int message_max_bytes() default 1048588;

        @AttributeDefinition(description = "Compactions that may run at once, over all compacted partitions")
        int log_cleaner_threads() default 1;

        @AttributeDefinition(description = "How often compacted partitions are checked for cleaning, in ms")
        long log_cleaner_backoff_ms() default 15000L;

        @AttributeDefinition(description = "Read and write rate of all compactions together, bytes per second")
        double log_cleaner_io_max_bytes_per_second() default Double.MAX_VALUE;

        @AttributeDefinition(description = "Default delete.retention.ms of a topic: how long compaction keeps tombstones")
        long log_cleaner_delete_retention_ms() default 86400000L;

        @AttributeDefinition(description = "Default min.cleanable.dirty.ratio of a topic: compaction starts when this "
                + "share of the sealed segments is uncompacted")
        double log_cleaner_min_cleanable_ratio() default 0.5;

        @AttributeDefinition(description = "Default min.compaction.lag.ms of a topic: records younger than this stay "
                + "uncompacted")
        long log_cleaner_min_compaction_lag_ms() default 0L;

        @AttributeDefinition(description = "Filter selecting the Coordinator service, e.g. (coordination.type=zookeeper)")
        String coordinator_target() default "(coordination.type=*)";
    }

    // Read by no code: it gives STORAGE_PID its form in the web console. The component sees the
    // merged properties through Config.
    @ObjectClassDefinition(id = STORAGE_PID, pid = STORAGE_PID, name = "Samsa storage engine selection",
            description = "Which storage engine holds the partitions. Changing it moves every partition onto the "
                    + "engine it names while the broker runs; deleting it falls back to the broker configuration's.")
    public @interface StorageSelection {
        @AttributeDefinition(description = "Filter selecting the StorageEngine service: (storage.engine=mmap), "
                + "(storage.engine=filechannel), or (storage.engine=*) for the best-ranked deployed engine")
        String storage_target() default "(storage.engine=*)";
    }

    @Reference(name = "coordinator", target = "(coordination.type=*)")
    private Coordinator coordinator;

    /** Where the protocol front end listens; the broker registers that endpoint in the cluster. */
    @Reference(name = "listeners")
    private ListenerEndpoints listeners;

    private final Object lock = new Object();
    private StorageEngine storage;
    private BundleContext context;
    private BrokerServer server;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private ServiceRegistration<PartitionService> partitionRegistration;
    private Dictionary<String, Object> serviceProperties;

    @Reference(name = "storage", target = "(storage.engine=*)", policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStorage(StorageEngine engine) {
        synchronized (lock) {
            storage = engine;
            if (server != null) {
                server.swapStorage(engine);
                advertiseEngine();
            }
        }
    }

    void unbindStorage(StorageEngine engine) {
        synchronized (lock) {
            // A replacement is bound before the old engine is unbound; nothing is open through it any more.
            if (storage == engine) {
                storage = null;
            }
        }
    }

    @Activate
    void activate(BundleContext bundleContext, Config config) throws Exception {
        synchronized (lock) {
            context = bundleContext;
            start(BrokerSettings.from(config, listeners.clientEndpoint()));
        }
    }

    /**
     * Applies a configuration change to the running broker, or restarts it when the change touches
     * its identity ({@link BrokerSettings#IDENTITY_KEYS}): clients keep their connections through
     * any other change.
     */
    @Modified
    void modified(Config config, Map<String, Object> properties) throws Exception {
        BrokerSettings next = BrokerSettings.from(config, listeners.clientEndpoint());
        synchronized (lock) {
            if (server == null) {
                start(next);
                return;
            }
            List<String> changes = server.settings().changesTo(next);
            if (changes.isEmpty()) {
                return;
            }
            List<String> identity = server.settings().identityChangesTo(next);
            Object file = properties.get(FILEINSTALL_FILE);
            if (file != null) {
                // FileInstall replaces every property of the PID with the file's: keys the file
                // lacks fall back to their defaults, which is rarely what the operator meant.
                LOG.warn("Broker configuration replaced by {} ({}). A .cfg file in the hot-deploy folder is the whole "
                        + "configuration of its PID: keys missing from it are back to their defaults. Put every key the "
                        + "broker needs in it, or use {}.cfg for the storage engine alone",
                        file, String.join(", ", changes), STORAGE_PID);
            }
            if (identity.isEmpty()) {
                LOG.info("Broker configuration changed ({}); applied to the running broker", String.join(", ", changes));
                server.reconfigure(next);
                return;
            }
            LOG.info("Broker configuration changed ({}); restarting the broker because {} cannot change while it runs",
                    String.join(", ", changes), String.join(", ", identity));
            stop();
            start(next);
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            stop();
            context = null;
        }
    }

    private void start(BrokerSettings settings) throws Exception {
        BrokerServer s = new BrokerServer(settings, coordinator, storage);
        s.start();
        server = s;
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("broker.id", settings.brokerId());
        props.put("cluster.id", coordinator.clusterId());
        registrations.add(context.registerService(ClusterView.class, s.clusterView(), props));
        registrations.add(context.registerService(TopicAdmin.class, s.topicAdmin(), props));
        props.put(StorageEngine.ENGINE_PROPERTY, storage.name());
        serviceProperties = props;
        partitionRegistration = context.registerService(PartitionService.class, s.partitionService(), props);
        registrations.add(partitionRegistration);
        registrations.add(context.registerService(ProducerIdService.class, s.producerIds(), props));
    }

    /** Operators and tests see which engine holds the partitions on the PartitionService's properties. */
    private void advertiseEngine() {
        if (partitionRegistration != null) {
            serviceProperties.put(StorageEngine.ENGINE_PROPERTY, storage.name());
            try {
                partitionRegistration.setProperties(serviceProperties);
            } catch (IllegalStateException e) {
                LOG.debug("PartitionService already unregistered", e);
            }
        }
    }

    private void stop() {
        partitionRegistration = null;
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                LOG.debug("Service already unregistered", e);
            }
        }
        registrations.clear();
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
