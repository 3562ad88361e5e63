package io.samsa.broker;

import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.requests.ApiError;
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

import io.samsa.api.broker.AppendOrigin;
import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.api.broker.LogDirDescription;
import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.ReplicationEngine;
import io.samsa.api.storage.StorageEngine;

/**
 * The broker's lifecycle as a component, and its four services: ClusterView, TopicAdmin,
 * PartitionService and ProducerIdService, declared here so that the bundle's manifest names them
 * and a resolver sees who provides them. Each call goes to the running {@link BrokerServer}.
 * <p>
 * SCR registers the services before it activates the component, but hands their object out only
 * once {@link #activate()} has returned, so front ends only get a broker that can serve. While an
 * identity change restarts the server (or after a restart failed) the registration stays and
 * every call fails with NOT_LEADER_OR_FOLLOWER, which Kafka's clients retry; consumers of the
 * services keep running and their clients keep their connections.
 * <p>
 * The {@link ReplicationEngine} is a static, mandatory reference: which replica leads, which are
 * in sync and when a write is committed are its decisions, and a broker without it cannot serve.
 * <p>
 * The service properties name the broker: {@code broker.id}, {@code cluster.id} and the
 * {@code storage.engine} holding the partitions, returned from the lifecycle and bind methods
 * (a Felix SCR extension, {@link ConfigurableServiceProperties}) so that SCR updates the registration.
 * <p>
 * The storage engine is bound greedily and dynamically: a better-ranked engine, or a changed
 * {@code storage.target}, re-opens every partition through the new engine without restarting.
 */
@ConfigurableServiceProperties
@Component(configurationPid = {KafkaBroker.PID, KafkaBroker.STORAGE_PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {ClusterView.class, TopicAdmin.class, PartitionService.class, ProducerIdService.class})
public class KafkaBroker implements ClusterView, TopicAdmin, PartitionService, ProducerIdService {

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

        @AttributeDefinition(description = "How often each log dir's replication-offset-checkpoint file records the "
                + "partitions' high watermarks, in ms; a restarted broker starts from them")
        long replica_high_watermark_checkpoint_interval_ms() default 5000L;

        @AttributeDefinition(description = "Whether a stopping broker first asks the controller to move its"
                + " leaderships to other in-sync replicas, and waits for it")
        boolean controlled_shutdown_enable() default true;

        @AttributeDefinition(description = "How many times a stopping broker asks for its leaderships to move"
                + " before it stops anyway", min = "1")
        int controlled_shutdown_max_retries() default 3;

        @AttributeDefinition(description = "How long each controlled shutdown attempt waits for the leaderships"
                + " to move, in ms", min = "0")
        long controlled_shutdown_retry_backoff_ms() default 5000L;

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

    private final Coordinator coordinator;
    /** Topics, partition states, configs and the controller id, in the coordinator. */
    private final ClusterMetadataStore metadataStore;
    /** Decides leadership, ISR, high watermark and acks of the partitions whose logs this broker keeps. */
    private final ReplicationEngine replication;
    /** Where the protocol front end listens; the broker registers that endpoint in the cluster. */
    private final ListenerEndpoints listeners;

    private final Object lock = new Object();
    private StorageEngine storage;
    /** The configuration the server runs with, or will run with once started. */
    private volatile BrokerSettings settings;
    private Map<String, Object> componentProperties;
    /** Null while the broker does not serve; {@link #notServing} then says why. */
    private volatile BrokerServer server;
    private volatile String notServing = "not started yet";
    /** Kafka's BrokerState number, for {@code kafka.server:type=KafkaServer,name=BrokerState}. */
    private volatile int brokerState = BrokerMetrics.NOT_RUNNING;
    private ServiceRegistration<MetricSource> metricsRegistration;

    @Activate
    public KafkaBroker(@Reference(name = "coordinator", target = "(coordination.type=*)") Coordinator coordinator,
            @Reference(name = "metadataStore") ClusterMetadataStore metadataStore,
            @Reference(name = "listeners") ListenerEndpoints listeners,
            @Reference(name = "replication") ReplicationEngine replication, Config config,
            Map<String, Object> properties) {
        this.coordinator = coordinator;
        this.metadataStore = metadataStore;
        this.replication = replication;
        this.listeners = listeners;
        this.settings = BrokerSettings.from(config, listeners.clientEndpoint());
        this.componentProperties = properties;
    }

    /** Bound before {@link #activate()}, and again whenever a better engine or a new target appears. */
    @Reference(name = "storage", target = "(storage.engine=*)", policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    Map<String, Object> bindStorage(StorageEngine engine) {
        synchronized (lock) {
            storage = engine;
            BrokerServer running = server;
            if (running != null) {
                running.swapStorage(engine);
            }
            return serviceProperties();
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

    /**
     * Starts the broker and publishes its metrics; SCR hands the services out once this returns.
     *
     * @param context null in unit tests, which then get no metrics service
     */
    @Activate
    Map<String, Object> activate(BundleContext context) throws Exception {
        synchronized (lock) {
            if (context != null) {
                Map<String, Object> appInfo = Map.of("version", context.getBundle().getVersion().toString(),
                        "commit-id", commitId(context), "start-time-ms", System.currentTimeMillis());
                metricsRegistration = context.registerService(MetricSource.class, metrics(() -> appInfo), null);
            }
            start();
            return serviceProperties();
        }
    }

    /** The broker's metrics; they follow the broker through restarts. */
    MetricSource metrics(Supplier<Map<String, Object>> appInfo) {
        return new BrokerMetrics(() -> server, () -> settings.brokerId(), () -> brokerState, appInfo);
    }

    /** The commit the bundle was built from (a manifest header bnd fills in), as Kafka's app-info shows its own. */
    private static String commitId(BundleContext context) {
        String commit = context.getBundle().getHeaders("").get("Samsa-Commit");
        return commit == null || commit.isBlank() ? "unknown" : commit;
    }

    /**
     * Applies a configuration change to the running broker, or restarts it when the change touches
     * its identity ({@link BrokerSettings#IDENTITY_KEYS}): clients keep their connections through
     * any other change.
     */
    @Modified
    Map<String, Object> modified(Config config, Map<String, Object> properties) throws Exception {
        BrokerSettings next = BrokerSettings.from(config, listeners.clientEndpoint());
        synchronized (lock) {
            componentProperties = properties;
            BrokerServer running = server;
            if (running == null) {
                LOG.info("Broker configuration changed while the broker is {}; starting it", notServing);
                settings = next;
                start();
                return serviceProperties();
            }
            List<String> changes = settings.changesTo(next);
            if (changes.isEmpty()) {
                return serviceProperties();
            }
            List<String> identity = settings.identityChangesTo(next);
            Object file = properties.get(FILEINSTALL_FILE);
            if (file != null) {
                // FileInstall replaces every property of the PID with the file's: keys the file
                // lacks fall back to their defaults, which is rarely what the operator meant.
                LOG.warn("Broker configuration replaced by {} ({}). A .cfg file in the hot-deploy folder is the whole "
                        + "configuration of its PID: keys missing from it are back to their defaults. Put every key the "
                        + "broker needs in it, or use {}.cfg for the storage engine alone",
                        file, String.join(", ", changes), STORAGE_PID);
            }
            settings = next;
            if (identity.isEmpty()) {
                LOG.info("Broker configuration changed ({}); applied to the running broker", String.join(", ", changes));
                running.reconfigure(next);
                return serviceProperties();
            }
            LOG.info("Broker configuration changed ({}); restarting the broker because {} cannot change while it runs; "
                    + "its services answer NOT_LEADER_OR_FOLLOWER until it is back",
                    String.join(", ", changes), String.join(", ", identity));
            stop("restarting to apply " + String.join(", ", identity));
            start();
            return serviceProperties();
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            stop("stopped");
            if (metricsRegistration != null) {
                metricsRegistration.unregister();
                metricsRegistration = null;
            }
        }
    }

    private void start() throws Exception {
        if (storage == null) {
            notServing = "without a storage engine";
            throw new IllegalStateException("Broker " + settings.brokerId() + " cannot start: no StorageEngine matches "
                    + "storage.target; deploy a storage feature or fix " + STORAGE_PID);
        }
        BrokerServer starting = new BrokerServer(settings, coordinator, metadataStore, storage, replication);
        brokerState = BrokerMetrics.STARTING;
        try {
            starting.start();
        } catch (Exception e) {
            brokerState = BrokerMetrics.NOT_RUNNING;
            notServing = "not running: its start failed (" + e + "); fix the broker configuration";
            throw e;
        }
        server = starting;
        brokerState = BrokerMetrics.RUNNING;
    }

    private void stop(String reason) {
        BrokerServer running = server;
        notServing = reason;
        server = null;
        if (running != null) {
            brokerState = BrokerMetrics.SHUTTING_DOWN;
            running.stop();
        }
        brokerState = BrokerMetrics.NOT_RUNNING;
    }

    /**
     * The component's properties and the broker's identity. Operators and tests see which engine
     * holds the partitions on {@code storage.engine}; SCR replaces the registration's properties
     * with this map.
     * <p>
     * A view, read when SCR copies it, not a snapshot: for a changed {@code storage.target} Felix
     * calls {@link #modified} first, then re-binds the storage engine, and only then applies what
     * {@code modified} returned, which must name the engine bound by then.
     */
    private Map<String, Object> serviceProperties() {
        return new AbstractMap<>() {
            @Override
            public Set<Entry<String, Object>> entrySet() {
                synchronized (lock) {
                    Map<String, Object> properties = new HashMap<>(componentProperties);
                    properties.put("broker.id", settings.brokerId());
                    properties.put("cluster.id", coordinator.clusterId());
                    if (storage != null) {
                        properties.put(StorageEngine.ENGINE_PROPERTY, storage.name());
                    }
                    return properties.entrySet();
                }
            }
        };
    }

    /** The server that answers calls, or the retriable error Kafka's clients expect while there is none. */
    private BrokerServer serving() {
        BrokerServer running = server;
        if (running == null) {
            throw notServing();
        }
        return running;
    }

    private NotLeaderOrFollowerException notServing() {
        return new NotLeaderOrFollowerException("Broker " + settings.brokerId() + " is " + notServing + "; retry");
    }

    private <T> CompletableFuture<T> notServingFuture() {
        return CompletableFuture.failedFuture(notServing());
    }

    BrokerServer server() {
        return server;
    }

    // ClusterView

    @Override
    public String clusterId() {
        return serving().clusterView().clusterId();
    }

    @Override
    public int localBrokerId() {
        return serving().clusterView().localBrokerId();
    }

    @Override
    public int controllerId() {
        return serving().clusterView().controllerId();
    }

    @Override
    public List<BrokerRegistration> brokers() {
        return serving().clusterView().brokers();
    }

    @Override
    public Collection<TopicView> topics() {
        return serving().clusterView().topics();
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return serving().clusterView().topic(name);
    }

    @Override
    public Optional<TopicView> topic(Uuid topicId) {
        return serving().clusterView().topic(topicId);
    }

    // TopicAdmin

    @Override
    public ApiError createTopic(String name, int numPartitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments, Map<String, String> configs, boolean validateOnly) {
        return serving().topicAdmin().createTopic(name, numPartitions, replicationFactor, assignments, configs,
                validateOnly);
    }

    @Override
    public ApiError autoCreateTopic(String name) {
        return serving().topicAdmin().autoCreateTopic(name);
    }

    @Override
    public ApiError deleteTopic(String name) {
        return serving().topicAdmin().deleteTopic(name);
    }

    @Override
    public ApiError createPartitions(String name, int totalCount, List<List<Integer>> newAssignments,
            boolean validateOnly) {
        return serving().topicAdmin().createPartitions(name, totalCount, newAssignments, validateOnly);
    }

    @Override
    public List<ConfigEntry> describeTopicConfig(String topic) {
        return serving().topicAdmin().describeTopicConfig(topic);
    }

    @Override
    public List<ConfigEntry> describeBrokerConfig() {
        return serving().topicAdmin().describeBrokerConfig();
    }

    @Override
    public List<ConfigEntry> describeBrokerConfig(String broker) {
        return serving().topicAdmin().describeBrokerConfig(broker);
    }

    @Override
    public ApiError alterBrokerConfig(String broker, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        return serving().topicAdmin().alterBrokerConfig(broker, changes, incremental, validateOnly);
    }

    @Override
    public ApiError alterTopicConfig(String topic, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        return serving().topicAdmin().alterTopicConfig(topic, changes, incremental, validateOnly);
    }

    // PartitionService

    @Override
    public CompletableFuture<Map<TopicPartition, ProduceResult>> append(Map<TopicPartition, ByteBuffer> records,
            short requiredAcks, int timeoutMs, boolean internal) {
        BrokerServer running = server;
        return running == null ? notServingFuture()
                : running.partitionService().append(records, requiredAcks, timeoutMs, internal);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, ProduceResult>> append(Map<TopicPartition, ByteBuffer> records,
            short requiredAcks, int timeoutMs, AppendOrigin origin) {
        BrokerServer running = server;
        return running == null ? notServingFuture()
                : running.partitionService().append(records, requiredAcks, timeoutMs, origin);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long maxWaitMs, int minBytes,
            int maxBytes, IsolationLevel isolation, Map<TopicPartition, FetchPosition> partitions) {
        BrokerServer running = server;
        return running == null ? notServingFuture()
                : running.partitionService().fetch(replicaId, maxWaitMs, minBytes, maxBytes, isolation, partitions);
    }

    @Override
    public CompletableFuture<Map<TopicPartition, FetchResult>> fetch(int replicaId, long replicaEpoch,
            long maxWaitMs, int minBytes, int maxBytes, IsolationLevel isolation,
            Map<TopicPartition, FetchPosition> partitions) {
        BrokerServer running = server;
        return running == null ? notServingFuture()
                : running.partitionService().fetch(replicaId, replicaEpoch, maxWaitMs, minBytes, maxBytes, isolation,
                        partitions);
    }

    @Override
    public OffsetLookup listOffset(TopicPartition partition, long timestamp, IsolationLevel isolation) {
        return serving().partitionService().listOffset(partition, timestamp, isolation);
    }

    @Override
    public OffsetLookup deleteRecords(TopicPartition partition, long offset) {
        return serving().partitionService().deleteRecords(partition, offset);
    }

    @Override
    public EpochLookup offsetForLeaderEpoch(TopicPartition partition, int currentLeaderEpoch, int leaderEpoch) {
        return serving().partitionService().offsetForLeaderEpoch(partition, currentLeaderEpoch, leaderEpoch);
    }

    @Override
    public List<LogDirDescription> describeLogDirs() {
        return serving().partitionService().describeLogDirs();
    }

    // ProducerIdService

    @Override
    public ProducerIdAndEpoch initProducerId(String transactionalId, int transactionTimeoutMs, long producerId,
            short producerEpoch) {
        return serving().producerIds().initProducerId(transactionalId, transactionTimeoutMs, producerId,
                producerEpoch);
    }
}
