package io.samsa.protocol.kafka;

import java.io.IOException;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.protocol.kafka.network.BoundListeners;
import io.samsa.protocol.kafka.network.ListenerAddress;

/**
 * Owns {@code listeners} and {@code advertised.listeners}: binds the listening sockets as soon as
 * it is configured, needing no broker service, and publishes {@link ListenerEndpoints} with the
 * ports actually bound. The broker registers those endpoints; {@link KafkaProtocolServer} serves
 * the sockets once the broker services are there.
 * <p>
 * The two keys have a configuration of their own, and no {@code @Modified}: a new value makes
 * Declarative Services deactivate this component and activate it on the new sockets, which
 * restarts the protocol server and the broker that hold it by static reference, so the broker
 * registers the new endpoints. Every other protocol setting lives in {@link KafkaProtocolServer}'s
 * configuration and changes without touching a socket.
 */
@Component(name = KafkaListeners.PID, configurationPid = KafkaListeners.PID, immediate = true,
        service = {ListenerEndpoints.class, KafkaListeners.class})
@Designate(ocd = KafkaListeners.Config.class)
public final class KafkaListeners implements ListenerEndpoints {

    public static final String PID = "io.samsa.protocol.kafka.listeners";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaListeners.class);

    @ObjectClassDefinition(name = "Samsa Kafka listeners",
            description = "Where Kafka clients connect. A change rebinds: the protocol server and the broker restart "
                    + "on the new sockets, and connections on the old ones are closed")
    public @interface Config {

        @AttributeDefinition(name = "listeners",
                description = "Comma-separated PLAINTEXT://host:port addresses to listen on; an empty host means "
                        + "every interface, port 0 an ephemeral port")
        String listeners() default "PLAINTEXT://127.0.0.1:9092";

        @AttributeDefinition(name = "advertised.listeners", required = false,
                description = "Addresses given to clients; empty means the listeners (port 0 becomes the bound port)")
        String advertised_listeners() default "";
    }

    private final BoundListeners bound;
    private final List<Endpoint> endpoints;

    /** @throws IOException naming a listener that could not be bound */
    @Activate
    public KafkaListeners(Config config) throws IOException {
        List<ListenerAddress> listeners = ListenerAddress.parseList(config.listeners());
        String advertisedValue = config.advertised_listeners();
        List<ListenerAddress> advertised = advertisedValue == null || advertisedValue.isBlank() ? List.of()
                : ListenerAddress.parseList(advertisedValue);
        bound = BoundListeners.bind(listeners, advertised);
        endpoints = bound.advertised().stream().map(a -> new Endpoint(a.name(), a.host(), a.port())).toList();
        for (int i = 0; i < listeners.size(); i++) {
            LOG.info("Kafka protocol listener {} bound to {}", listeners.get(i), bound.boundAddresses().get(i));
        }
        LOG.info("Advertised listeners: {}", endpoints);
    }

    @Override
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** The bound sockets, for the server to serve. */
    public BoundListeners bound() {
        return bound;
    }

    @Deactivate
    void close() {
        bound.close();
        LOG.info("Kafka protocol listeners {} closed; the protocol server and the broker stop with them (a changed "
                + "listeners value restarts them on the new sockets)", endpoints);
    }
}
