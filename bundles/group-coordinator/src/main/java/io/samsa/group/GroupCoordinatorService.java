package io.samsa.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.Caller;
import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.GroupCoordinator;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.metrics.MetricSource;

/**
 * Kafka's classic consumer group coordinator. Group state lives in memory, one lock per group;
 * every change that must survive is written to {@code __consumer_offsets} and read back when
 * this broker becomes leader of one of its partitions. Timers (sessions, rebalance deadlines,
 * offset expiry) and write completions run on one scheduler thread; partition loads on another.
 */
@Component(service = GroupCoordinator.class, configurationPid = GroupCoordinatorService.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = GroupCoordinatorService.Config.class)
public final class GroupCoordinatorService implements GroupCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorService.class);
    public static final String PID = "io.samsa.group";

    @ObjectClassDefinition(id = PID, name = "Samsa group coordinator",
            description = "Consumer groups (classic protocol) and committed offsets in __consumer_offsets")
    public @interface Config {
        @AttributeDefinition(name = "offsets.topic.num.partitions", description = "Partitions of __consumer_offsets")
        int offsets_topic_num_partitions() default 50;

        @AttributeDefinition(name = "offsets.topic.replication.factor",
                description = "Replication factor of __consumer_offsets, Kafka's 3 by default; on a cluster with"
                        + " fewer live brokers when the topic is first needed it is created with one replica per"
                        + " live broker, and a warning says so")
        short offsets_topic_replication_factor() default 3;

        @AttributeDefinition(name = "offsets.topic.segment.bytes", description = "segment.bytes of __consumer_offsets")
        int offsets_topic_segment_bytes() default 104857600;

        @AttributeDefinition(name = "group.initial.rebalance.delay.ms",
                description = "How long the first rebalance of an empty group waits for more members")
        int group_initial_rebalance_delay_ms() default 3000;

        @AttributeDefinition(name = "group.min.session.timeout.ms", description = "Smallest session timeout allowed")
        int group_min_session_timeout_ms() default 6000;

        @AttributeDefinition(name = "group.max.session.timeout.ms", description = "Largest session timeout allowed")
        int group_max_session_timeout_ms() default 1800000;

        @AttributeDefinition(name = "group.max.size", description = "Most members a group may have")
        int group_max_size() default Integer.MAX_VALUE;

        @AttributeDefinition(name = "offsets.retention.minutes",
                description = "How long the offsets of an empty group are kept")
        int offsets_retention_minutes() default 10080;

        @AttributeDefinition(name = "offsets.retention.check.interval.ms",
                description = "How often expired offsets are looked for")
        long offsets_retention_check_interval_ms() default 600000;

        @AttributeDefinition(name = "offset.metadata.max.bytes", description = "Longest metadata of a commit")
        int offset_metadata_max_bytes() default 4096;

        @AttributeDefinition(name = "offsets.commit.timeout.ms",
                description = "How long an offset commit waits for the replicas")
        int offsets_commit_timeout_ms() default 5000;
    }

    private final ClusterView cluster;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService loader;
    private final Groups groups = new Groups();
    private final OffsetsTopic offsetsTopic;
    private final GroupLoader groupLoader;
    private final Rebalancer rebalancer;
    private final JoinGroupHandler joins;
    private final MemberRequests members;
    private final OffsetCommits commits;
    private final OffsetFetches fetches;
    private final GroupAdmin admin;
    private volatile boolean active;
    private final GroupMetrics metrics = new GroupMetrics(groups);
    private ServiceRegistration<MetricSource> metricsRegistration;

    @Activate
    public GroupCoordinatorService(@Reference(name = "partitions") PartitionService partitions,
            @Reference(name = "topicAdmin") TopicAdmin topicAdmin, @Reference(name = "cluster") ClusterView cluster,
            Config config, BundleContext context) {
        this(partitions, topicAdmin, cluster, GroupConfig.from(config));
        metricsRegistration = context.registerService(MetricSource.class, metrics, null);
    }

    GroupCoordinatorService(PartitionService partitions, TopicAdmin topicAdmin, ClusterView cluster,
            GroupConfig config) {
        this.cluster = cluster;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "group-coordinator"));
        this.loader = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "group-metadata-loader"));
        CoordinatorLog log = new CoordinatorLog(partitions, config.offsetCommitTimeoutMs(), timer);
        this.rebalancer = new Rebalancer(timer, config, log);
        this.offsetsTopic = new OffsetsTopic(cluster, topicAdmin, config, new PartitionLoading());
        this.groupLoader = new GroupLoader(partitions, loader);
        this.joins = new JoinGroupHandler(config, groups, offsetsTopic, rebalancer);
        this.members = new MemberRequests(groups, offsetsTopic, rebalancer);
        this.commits = new OffsetCommits(config, groups, offsetsTopic, rebalancer, log, cluster);
        this.fetches = new OffsetFetches(groups, offsetsTopic, cluster);
        this.admin = new GroupAdmin(groups, offsetsTopic, log);
        OffsetExpiry expiry = new OffsetExpiry(config, groups, log);
        long interval = Math.max(1, config.offsetsRetentionCheckIntervalMs());
        timer.scheduleWithFixedDelay(() -> guarded(expiry::run), interval, interval, TimeUnit.MILLISECONDS);
        active = true;
        loader.execute(() -> guarded(offsetsTopic::refreshAll));
    }

    /** The groups held now (for tests that compare a coordinator's state with a replay of its log). */
    Groups groups() {
        return groups;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("Group coordinator task failed", e);
        }
    }

    /** Kafka's GroupMetadataManager gauges of this coordinator. */
    MetricSource metrics() {
        return metrics;
    }

    @Deactivate
    void deactivate() {
        if (metricsRegistration != null) {
            metricsRegistration.unregister();
        }
        active = false;
        offsetsTopic.unloadAll();
        timer.shutdownNow();
        loader.shutdownNow();
    }

    /** Loads and unloads the groups of {@code __consumer_offsets} partitions. */
    private final class PartitionLoading implements OffsetsTopic.Loading {
        @Override
        public void load(int partition, OffsetsTopic.Ownership ownership) {
            long started = System.nanoTime();
            groupLoader.load(partition, ownership.leaderEpoch, Rebalancer.now()).whenComplete((loaded, failure) -> {
                if (failure != null) {
                    LOG.warn("Loading groups of {}-{} failed; retrying on the next request", CoordinatorLog.TOPIC,
                            partition, failure);
                    offsetsTopic.abandonLoad(ownership);
                    return;
                }
                boolean installed = offsetsTopic.completeLoad(ownership, () -> install(loaded));
                if (installed) {
                    LOG.info("Loaded {} groups of {}-{} in {} ms", loaded.size(), CoordinatorLog.TOPIC, partition,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                }
            });
        }

        private void install(List<ClassicGroup> loaded) {
            for (ClassicGroup g : loaded) {
                g.lock();
                try {
                    groups.put(g);
                    for (GroupMember m : g.members()) {
                        rebalancer.scheduleHeartbeat(g, m, m.sessionTimeoutMs());
                    }
                } finally {
                    g.unlock();
                }
            }
        }

        @Override
        public void unload(int partition, Deferred after) {
            for (ClassicGroup g : groups.inPartition(partition)) {
                g.lock();
                try {
                    g.markDead(Errors.NOT_COORDINATOR, Rebalancer.now(), after);
                    groups.remove(g);
                } finally {
                    g.unlock();
                }
            }
        }
    }

    @Override
    public int partitionFor(String groupId) {
        return offsetsTopic.partitionFor(groupId);
    }

    @Override
    public int coordinatorFor(String groupId) {
        return active ? offsetsTopic.coordinatorFor(groupId) : -1;
    }

    @Override
    public CompletableFuture<JoinGroupResponseData> joinGroup(Caller caller, JoinGroupRequestData request) {
        return serve(() -> joins.join(caller, request),
                e -> JoinResponses.forVersion(JoinResponses.error(request.memberId(), e), caller.apiVersion()));
    }

    @Override
    public CompletableFuture<SyncGroupResponseData> syncGroup(Caller caller, SyncGroupRequestData request) {
        return serve(() -> members.sync(caller, request), SyncResponses::error);
    }

    @Override
    public CompletableFuture<HeartbeatResponseData> heartbeat(Caller caller, HeartbeatRequestData request) {
        return serve(() -> members.heartbeat(caller, request),
                e -> new HeartbeatResponseData().setErrorCode(e.code()));
    }

    @Override
    public CompletableFuture<LeaveGroupResponseData> leaveGroup(Caller caller, LeaveGroupRequestData request) {
        return serve(() -> members.leave(caller, request), e -> new LeaveGroupResponseData().setErrorCode(e.code()));
    }

    @Override
    public CompletableFuture<OffsetCommitResponseData> commitOffsets(Caller caller, OffsetCommitRequestData request) {
        return serve(() -> commits.commit(caller, request), e -> RequestErrors.commit(request, e));
    }

    @Override
    public CompletableFuture<OffsetFetchResponseData> fetchOffsets(Caller caller, OffsetFetchRequestData request) {
        return serve(() -> CompletableFuture.completedFuture(fetches.fetch(caller, request)),
                e -> RequestErrors.fetch(caller, request, e));
    }

    @Override
    public CompletableFuture<ListGroupsResponseData> listGroups(Caller caller, ListGroupsRequestData request) {
        return serve(() -> CompletableFuture.completedFuture(admin.list(caller, request)),
                e -> new ListGroupsResponseData().setErrorCode(e.code()));
    }

    @Override
    public CompletableFuture<DescribeGroupsResponseData> describeGroups(Caller caller,
            DescribeGroupsRequestData request) {
        return serve(() -> CompletableFuture.completedFuture(admin.describe(caller, request.groups())),
                e -> RequestErrors.describe(request, e));
    }

    @Override
    public CompletableFuture<DeleteGroupsResponseData> deleteGroups(Caller caller, DeleteGroupsRequestData request) {
        return serve(() -> admin.delete(caller, request.groupsNames()), e -> RequestErrors.delete(request, e));
    }

    /** Runs a request, answering COORDINATOR_NOT_AVAILABLE when inactive and UNKNOWN_SERVER_ERROR on a bug. */
    private <T> CompletableFuture<T> serve(Supplier<CompletableFuture<T>> handler, Function<Errors, T> error) {
        if (!active) {
            return CompletableFuture.completedFuture(error.apply(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        try {
            return handler.get();
        } catch (RuntimeException e) {
            LOG.error("Group request failed", e);
            return CompletableFuture.completedFuture(error.apply(Errors.UNKNOWN_SERVER_ERROR));
        }
    }
}
