package io.samsa.protocol.kafka;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.protocol.kafka.network.BoundListeners;
import io.samsa.protocol.kafka.network.ListenerAddress;

/**
 * Owns {@code listeners} and {@code advertised.listeners}: binds the listening sockets as soon as
 * it is configured, needing no broker service, and publishes {@link ListenerEndpoints} with the
 * ports actually bound. The broker registers those endpoints; {@link KafkaProtocolServer} serves
 * the sockets once the broker services are there. Shares the protocol PID (and its metatype)
 * with the server; a change to anything but the two listener keys leaves the sockets alone.
 */
@Component(name = KafkaListeners.NAME, configurationPid = KafkaProtocolServer.PID, immediate = true,
        service = {ListenerEndpoints.class, KafkaListeners.class})
public final class KafkaListeners implements ListenerEndpoints {

    static final String NAME = "io.samsa.protocol.kafka.listeners";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaListeners.class);

    private final String listenersValue;
    private final String advertisedValue;
    private final BoundListeners bound;
    private final List<Endpoint> endpoints;

    /** @throws IOException naming a listener that could not be bound */
    @Activate
    public KafkaListeners(KafkaProtocolServer.Config config) throws IOException {
        listenersValue = config.listeners();
        advertisedValue = config.advertised_listeners();
        List<ListenerAddress> listeners = ListenerAddress.parseList(listenersValue);
        List<ListenerAddress> advertised = advertisedValue == null || advertisedValue.isBlank() ? List.of()
                : ListenerAddress.parseList(advertisedValue);
        bound = BoundListeners.bind(listeners, advertised);
        endpoints = bound.advertised().stream().map(a -> new Endpoint(a.name(), a.host(), a.port())).toList();
        for (int i = 0; i < listeners.size(); i++) {
            LOG.info("Kafka protocol listener {} bound to {}", listeners.get(i), bound.boundAddresses().get(i));
        }
        LOG.info("Advertised listeners: {}", endpoints);
    }

    /**
     * Other keys of the PID change live in {@link KafkaProtocolServer}. A new listener value
     * needs new sockets, and the broker must register the new endpoints, so this component
     * restarts itself, which restarts whatever depends on it.
     */
    @Modified
    void modified(ComponentContext context, KafkaProtocolServer.Config config) {
        if (Objects.equals(listenersValue, config.listeners())
                && Objects.equals(advertisedValue, config.advertised_listeners())) {
            return;
        }
        LOG.info("listeners/advertised.listeners changed from '{}'/'{}' to '{}'/'{}': rebinding; connections on the "
                + "old listeners are closed", listenersValue, advertisedValue, config.listeners(),
                config.advertised_listeners());
        context.disableComponent(NAME);
        context.enableComponent(NAME);
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
        LOG.info("Kafka protocol listeners closed");
    }
}
