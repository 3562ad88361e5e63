package io.samsa.protocol.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.GroupCoordinator;
import io.samsa.api.replication.ControllerService;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.metrics.MetricSource;
import io.samsa.protocol.kafka.api.ApiTable;
import io.samsa.protocol.kafka.api.BrokerApis;
import io.samsa.protocol.kafka.api.RequestDispatcher;
import io.samsa.protocol.kafka.metrics.RequestMetrics;
import io.samsa.protocol.kafka.network.NetworkSettings;
import io.samsa.protocol.kafka.network.SocketServer;

/**
 * The Kafka wire protocol front end: serves Kafka clients on the sockets {@link KafkaListeners}
 * bound, from the broker services. Starts once every service is there and stops when one goes
 * away. Thread counts, queue size and connection limits change live, closing no connection.
 */
@Component(name = KafkaProtocolServer.PID, configurationPid = KafkaProtocolServer.PID, immediate = true,
        service = {})
@Designate(ocd = KafkaProtocolServer.Config.class)
public final class KafkaProtocolServer {

    public static final String PID = "io.samsa.protocol.kafka";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaProtocolServer.class);

    @ObjectClassDefinition(name = "Samsa Kafka protocol",
            description = "Network and request handler threads and connection limits; all change live")
    public @interface Config {

        @AttributeDefinition(name = "num.network.threads", description = "Network (selector) threads")
        int num_network_threads() default 3;

        @AttributeDefinition(name = "num.io.threads", description = "Request handler threads")
        int num_io_threads() default 8;

        @AttributeDefinition(name = "queued.max.requests",
                description = "Requests waiting for a handler thread before the network threads stop reading")
        int queued_max_requests() default 500;

        @AttributeDefinition(name = "max.connections", description = "Connections the broker accepts in all")
        int max_connections() default Integer.MAX_VALUE;

        @AttributeDefinition(name = "max.connections.per.ip", description = "Connections accepted from one address")
        int max_connections_per_ip() default Integer.MAX_VALUE;

        @AttributeDefinition(name = "max.connections.per.ip.overrides", required = false,
                description = "Per-address exceptions, e.g. 127.0.0.1:200,10.0.0.7:50")
        String max_connections_per_ip_overrides() default "";

        @AttributeDefinition(name = "socket.request.max.bytes",
                description = "The largest request accepted; a larger one closes the connection")
        int socket_request_max_bytes() default 104857600;

        @AttributeDefinition(name = "connections.max.idle.ms",
                description = "Connections idle for longer are closed; 0 or less keeps them")
        long connections_max_idle_ms() default 600000L;
    }

    private final KafkaListeners listeners;
    private final SocketServer server;
    private final RequestMetrics metrics;
    private final ServiceRegistration<MetricSource> metricsRegistration;
    /** The controller of this broker, when its bundle runs; ElectLeaders goes to it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ControllerService controller;

    @Activate
    public KafkaProtocolServer(@Reference KafkaListeners listeners, @Reference ClusterView cluster,
            @Reference TopicAdmin topicAdmin, @Reference PartitionService partitions,
            @Reference ProducerIdService producerIds, @Reference GroupCoordinator groupCoordinator, Config config,
            BundleContext context) throws IOException { // context: null in tests, which then publish no metrics
        this.listeners = listeners;
        ApiTable apis = BrokerApis.create(cluster, topicAdmin, partitions, producerIds, groupCoordinator,
                () -> Optional.ofNullable(controller));
        metrics = new RequestMetrics(apis.maxVersions());
        RequestDispatcher dispatcher = new RequestDispatcher(apis, metrics);
        server = new SocketServer(listeners.bound(), dispatcher, settings(config));
        server.start();
        metricsRegistration = context == null ? null : context.registerService(MetricSource.class, metrics, null);
        String ready = "[KafkaServer id=" + cluster.localBrokerId() + "] started";
        LOG.info(ready);
        System.out.println(ready);
    }

    /** The Kafka protocol's network settings from the configuration. */
    public static NetworkSettings settings(Config config) {
        return new NetworkSettings(config.num_network_threads(), config.num_io_threads(),
                config.queued_max_requests(), config.max_connections(), config.max_connections_per_ip(),
                NetworkSettings.parseOverrides(config.max_connections_per_ip_overrides()),
                config.connections_max_idle_ms(), config.socket_request_max_bytes());
    }

    /** Applies every setting without dropping connections (the listeners have a configuration of their own). */
    @Modified
    public void modified(Config config) throws IOException {
        server.reconfigure(settings(config));
    }

    /** The addresses actually bound, in listener order (useful with port 0). */
    public List<InetSocketAddress> boundAddresses() {
        return listeners.bound().boundAddresses();
    }

    /** Kafka's RequestMetrics of this front end. */
    public RequestMetrics requestMetrics() {
        return metrics;
    }

    /** The socket server, for tests that look at its threads and connections. */
    public SocketServer socketServer() {
        return server;
    }

    @Deactivate
    void stop() {
        if (metricsRegistration != null) {
            metricsRegistration.unregister();
        }
        server.close();
        LOG.info("Kafka protocol server stopped");
    }
}
