package io.samsa.protocol.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.GroupCoordinator;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.protocol.kafka.api.BrokerApis;
import io.samsa.protocol.kafka.api.RequestDispatcher;
import io.samsa.protocol.kafka.network.ListenerAddress;
import io.samsa.protocol.kafka.network.SocketServer;

/**
 * The Kafka wire protocol front end: binds the {@code listeners} and serves Kafka clients from
 * the broker services. Starts once every service is there and stops when one goes away.
 */
@Component(name = KafkaProtocolServer.PID, configurationPid = KafkaProtocolServer.PID, immediate = true,
        service = {})
@Designate(ocd = KafkaProtocolServer.Config.class)
public final class KafkaProtocolServer {

    public static final String PID = "io.samsa.protocol.kafka";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaProtocolServer.class);

    @ObjectClassDefinition(name = "Samsa Kafka protocol", description = "The listener Kafka clients connect to")
    public @interface Config {

        @AttributeDefinition(name = "listeners",
                description = "Comma-separated PLAINTEXT://host:port addresses to listen on; an empty host means "
                        + "every interface, port 0 an ephemeral port")
        String listeners() default "PLAINTEXT://127.0.0.1:9092";

        @AttributeDefinition(name = "socket.request.max.bytes",
                description = "The largest request accepted; a larger one closes the connection")
        int socket_request_max_bytes() default 104857600;

        @AttributeDefinition(name = "connections.max.idle.ms",
                description = "Connections idle for longer are closed; 0 or less keeps them")
        long connections_max_idle_ms() default 600000L;
    }

    private final SocketServer server;

    @Activate
    public KafkaProtocolServer(@Reference ClusterView cluster, @Reference TopicAdmin topicAdmin,
            @Reference PartitionService partitions, @Reference ProducerIdService producerIds,
            @Reference GroupCoordinator groupCoordinator, Config config) throws IOException {
        if (config.socket_request_max_bytes() <= 0) {
            throw new IllegalArgumentException("socket.request.max.bytes must be positive, not "
                    + config.socket_request_max_bytes());
        }
        List<ListenerAddress> listeners = ListenerAddress.parseList(config.listeners());
        RequestDispatcher dispatcher = new RequestDispatcher(
                BrokerApis.create(cluster, topicAdmin, partitions, producerIds, groupCoordinator));
        server = new SocketServer(listeners, dispatcher, config.socket_request_max_bytes(),
                config.connections_max_idle_ms());
        List<InetSocketAddress> bound = server.start();
        for (int i = 0; i < listeners.size(); i++) {
            LOG.info("Kafka protocol listener {} bound to {}", listeners.get(i), bound.get(i));
        }
        String ready = "[KafkaServer id=" + cluster.localBrokerId() + "] started";
        LOG.info(ready);
        System.out.println(ready);
    }

    /** The addresses actually bound, in listener order (useful with port 0). */
    public List<InetSocketAddress> boundAddresses() {
        return server.boundAddresses();
    }

    @Deactivate
    void stop() {
        server.close();
        LOG.info("Kafka protocol listeners closed");
    }
}
