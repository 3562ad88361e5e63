package io.samsa.controller;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.requests.ApiError;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.ControllerService;
import io.samsa.api.replication.PartitionAssignment;

/**
 * This broker's candidacy for the cluster's controller. Every broker runs one; the one the
 * coordinator elects decides partition leaders (through an {@link ElectedController} for as long
 * as its term lasts), the others wait. Its {@link ControllerService} acts only while elected and
 * answers NOT_CONTROLLER otherwise, so the protocol front end can bind it on every broker.
 */
@Component(service = ControllerService.class, configurationPid = ControllerComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ControllerComponent.Config.class)
public final class ControllerComponent implements ControllerService {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerComponent.class);
    public static final String PID = "io.samsa.controller";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    @ObjectClassDefinition(id = PID, name = "Samsa controller",
            description = "The cluster controller: first leaders of new partitions, leader elections when brokers"
                    + " go away or restart")
    public @interface Config {
        @AttributeDefinition(name = "unclean.leader.election.enable",
                description = "Whether a partition whose in-sync replicas are all offline may elect another live"
                        + " replica, losing the records only the in-sync replicas had. A topic's own"
                        + " unclean.leader.election.enable wins")
        boolean unclean_leader_election_enable() default false;

        @AttributeDefinition(name = "auto.leader.rebalance.enable",
                description = "Whether the controller moves leadership back to preferred replicas (the first"
                        + " assigned) when a broker's leader imbalance exceeds leader.imbalance.per.broker.percentage")
        boolean auto_leader_rebalance_enable() default true;

        @AttributeDefinition(name = "leader.imbalance.check.interval.seconds",
                description = "How often the controller checks the leader imbalance", min = "1")
        long leader_imbalance_check_interval_seconds() default 300;

        @AttributeDefinition(name = "leader.imbalance.per.broker.percentage",
                description = "The share of a broker's preferred partitions, in percent, that may be led by"
                        + " others before leadership moves back to it", min = "0", max = "100")
        int leader_imbalance_per_broker_percentage() default 10;
    }

    private final int brokerId;
    private volatile ControllerSettings settings;
    private final Coordinator coordinator;
    private final ClusterMetadataStore store;
    /**
     * Guards {@link #election}, {@link #term} and {@link #closed}. The first election callback may
     * come before {@code electController} returns: it waits on this for {@link #election}.
     */
    private final Object lock = new Object();
    private Election election;
    private ElectedController term;
    private boolean closed;
    private final ControllerMetrics metrics = new ControllerMetrics();
    private ServiceRegistration<MetricSource> metricsRegistration;

    @Activate
    public ControllerComponent(@Reference(name = "coordinator", target = "(" + Coordinator.TYPE_PROPERTY + "=*)")
            Coordinator coordinator, @Reference(name = "metadata") ClusterMetadataStore store,
            @Reference(name = "cluster") ClusterView cluster, Config config, BundleContext context) {
        this(cluster.localBrokerId(), ControllerSettings.from(config), coordinator, store);
        metricsRegistration = context.registerService(MetricSource.class, metrics, null);
    }

    ControllerComponent(int brokerId, ControllerSettings settings, Coordinator coordinator,
            ClusterMetadataStore store) {
        this.brokerId = brokerId;
        this.settings = settings;
        this.coordinator = coordinator;
        this.store = store;
        synchronized (lock) {
            election = coordinator.electController(brokerId, new Candidacy());
        }
        LOG.info("Broker {} is a candidate for controller (unclean.leader.election.enable={})", brokerId,
                settings.uncleanLeaderElectionEnable());
    }

    @Deactivate
    void deactivate() {
        if (metricsRegistration != null) {
            metricsRegistration.unregister();
        }
        metrics.term(null);
        Election withdrawn;
        ElectedController ended;
        synchronized (lock) {
            closed = true;
            withdrawn = election;
            ended = term;
            term = null;
        }
        if (ended != null) {
            ended.stop();
        }
        withdrawn.close();
        LOG.info("Broker {} withdrew from the controller election{}", brokerId,
                ended == null ? "" : " (its epoch " + ended.epoch() + " ended)");
        if (ended != null && !ended.awaitStopped(STOP_TIMEOUT)) {
            LOG.warn("The controller thread of broker {} did not stop within {} s", brokerId,
                    STOP_TIMEOUT.toSeconds());
        }
    }

    /** Takes new settings without a new election: unclean.leader.election.enable is dynamic in Kafka too. */
    @Modified
    void modified(Config config) {
        reconfigure(ControllerSettings.from(config));
    }

    void reconfigure(ControllerSettings next) {
        ElectedController current;
        synchronized (lock) {
            if (next.equals(settings)) {
                return;
            }
            settings = next;
            current = term;
        }
        LOG.info("Broker {}'s controller settings are now {}", brokerId, next);
        if (current != null) {
            current.reconfigure(next);
        }
    }

    /** Kafka's KafkaController gauges of this broker. */
    MetricSource metrics() {
        return metrics;
    }

    @Override
    public CompletionStage<Map<TopicPartition, ApiError>> electLeaders(ElectionType type,
            Optional<Set<TopicPartition>> partitions) {
        return onTerm(t -> t.electLeaders(type, partitions));
    }

    @Override
    public CompletionStage<Map<TopicPartition, ApiError>> alterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowReplicationFactorChange) {
        return onTerm(t -> t.alterPartitionReassignments(targets, allowReplicationFactorChange));
    }

    @Override
    public CompletionStage<Map<TopicPartition, PartitionAssignment>> listPartitionReassignments(
            Optional<Set<TopicPartition>> partitions) {
        return onTerm(t -> t.listPartitionReassignments(partitions));
    }

    /** What the current term answers, or NOT_CONTROLLER while this broker is not the controller. */
    private <T> CompletionStage<T> onTerm(Function<ElectedController, CompletionStage<T>> request) {
        ElectedController current = term();
        if (current == null || !current.active()) {
            return CompletableFuture.failedFuture(new NotControllerException("Broker " + brokerId
                    + " is not the controller"));
        }
        return request.apply(current);
    }

    /** The current term, while this broker is the controller (for tests). */
    ElectedController term() {
        synchronized (lock) {
            return term;
        }
    }

    /** The candidacy (for tests, which close it to make this broker resign as a lost session would). */
    Election election() {
        synchronized (lock) {
            return election;
        }
    }

    private final class Candidacy implements ElectionListener {
        @Override
        public void elected(int epoch) {
            ElectedController previous;
            ElectedController next;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                previous = term;
                next = new ElectedController(brokerId, epoch, election.fence(), coordinator, store, settings, metrics);
                term = next;
                metrics.term(next);
            }
            if (previous != null) {
                previous.stop();
            }
            LOG.info("Broker {} is the controller with epoch {}", brokerId, epoch);
            next.start();
        }

        @Override
        public void resigned() {
            ElectedController ended;
            synchronized (lock) {
                ended = term;
                term = null;
                metrics.term(null);
            }
            if (ended != null) {
                ended.stop();
                LOG.info("Broker {} is no longer the controller (epoch {} ended)", brokerId, ended.epoch());
            }
        }
    }
}
