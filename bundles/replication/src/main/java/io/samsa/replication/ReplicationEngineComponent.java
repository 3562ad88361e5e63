package io.samsa.replication;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.ReplicaHost;
import io.samsa.api.replication.ReplicationEngine;
import io.samsa.api.replication.ReplicationRuntime;

/**
 * The replication service. The broker starts one runtime once it is registered in the cluster;
 * deactivating the component stops every runtime it started.
 */
@Component(service = {ReplicationEngine.class, MetricSource.class}, configurationPid = ReplicationEngineComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ReplicationEngineComponent.Config.class)
public final class ReplicationEngineComponent implements ReplicationEngine, MetricSource {
    public static final String PID = "io.samsa.replication";

    @ObjectClassDefinition(id = PID, name = "Samsa replication",
            description = "Replica fetchers, in-sync replicas and the high watermark, with Kafka's settings")
    public @interface Config {
        @AttributeDefinition(name = "replica.lag.time.max.ms",
                description = "An in-sync follower that has not caught up with the leader for this long leaves the ISR")
        long replica_lag_time_max_ms() default 30000;

        @AttributeDefinition(name = "replica.fetch.wait.max.ms",
                description = "How long a follower's fetch may wait at the leader for data")
        int replica_fetch_wait_max_ms() default 500;

        @AttributeDefinition(name = "replica.fetch.min.bytes",
                description = "Bytes a follower's fetch waits for before the leader answers")
        int replica_fetch_min_bytes() default 1;

        @AttributeDefinition(name = "replica.fetch.max.bytes", description = "Bytes a follower fetches per partition")
        int replica_fetch_max_bytes() default 1048576;

        @AttributeDefinition(name = "replica.fetch.response.max.bytes",
                description = "Bytes a follower fetches per response")
        int replica_fetch_response_max_bytes() default 10485760;

        @AttributeDefinition(name = "replica.fetch.backoff.ms",
                description = "How long a follower waits after a fetch error")
        int replica_fetch_backoff_ms() default 1000;

        @AttributeDefinition(name = "replica.socket.timeout.ms",
                description = "Connect and read timeout of a follower's connection to its leader")
        int replica_socket_timeout_ms() default 30000;

        @AttributeDefinition(name = "num.replica.fetchers", description = "Fetcher threads per leader broker")
        int num_replica_fetchers() default 1;

        @AttributeDefinition(name = "inter.broker.listener.name",
                description = "The listener followers connect to on their leaders; empty for the PLAINTEXT one"
                        + " (else the first advertised)")
        String inter_broker_listener_name() default "";
    }

    private final ClusterMetadataStore store;
    private final ReplicationConfig config;
    private final LeaderChannel.Factory channels;
    private final List<ReplicationRuntime> started = new ArrayList<>();
    private final ReplicationMetrics metrics = new ReplicationMetrics();
    private boolean active = true;

    @Activate
    public ReplicationEngineComponent(@Reference(name = "metadataStore") ClusterMetadataStore store, Config config) {
        this(store, ReplicationConfig.from(config));
    }

    /** Outside OSGi (tests, tools): Kafka's defaults are {@link ReplicationConfig#DEFAULTS}. */
    ReplicationEngineComponent(ClusterMetadataStore store, ReplicationConfig config) {
        this(store, config, LeaderConnection::connect);
    }

    ReplicationEngineComponent(ClusterMetadataStore store, ReplicationConfig config, LeaderChannel.Factory channels) {
        this.store = store;
        this.config = config;
        this.channels = channels;
    }

    /** A plain engine with Kafka's defaults, for tests and tools outside OSGi. */
    public ReplicationEngineComponent(ClusterMetadataStore store) {
        this(store, ReplicationConfig.DEFAULTS);
    }

    @Override
    public synchronized ReplicationRuntime start(ReplicaHost host) {
        if (!active) {
            throw new IllegalStateException("The replication engine is stopped");
        }
        started.removeIf(r -> !((BrokerReplication) r).running());
        BrokerReplication runtime = new BrokerReplication(host, store, config, System::currentTimeMillis, channels,
                true, metrics);
        started.add(runtime);
        metrics.add(runtime);
        return runtime;
    }

    /** Kafka's ReplicaManager metrics that replication decides (ISR changes, under-replicated and min-ISR counts). */
    @Override
    public void visit(MetricVisitor visitor) {
        metrics.visit(visitor);
    }

    @Deactivate
    void deactivate() {
        List<ReplicationRuntime> all;
        synchronized (this) {
            active = false;
            all = new ArrayList<>(started);
            started.clear();
        }
        for (ReplicationRuntime r : all) {
            r.close();
        }
    }
}
