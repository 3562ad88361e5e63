package io.samsa.api.coordination;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A live broker as the cluster sees it.
 *
 * @param brokerId  the broker's {@code broker.id}
 * @param host      host clients connect to (from {@code advertised.listeners})
 * @param port      port clients connect to
 * @param rack      {@code broker.rack}, if set
 * @param epoch     increases each time the broker registers; 0 before registration
 * @param endpoints every advertised listener, in configuration order; never empty, one per listener name
 */
public record BrokerRegistration(int brokerId, String host, int port, Optional<String> rack, long epoch,
        List<Endpoint> endpoints) {

    /** Security protocols Kafka knows; a listener named like one uses it unless mapped otherwise. */
    private static final List<String> SECURITY_PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    /**
     * One advertised listener, e.g. {@code REPLICATION://broker1:9093} over {@code PLAINTEXT}.
     *
     * @param listenerName     the listener's name, as in {@code advertised.listeners}
     * @param securityProtocol its protocol, as {@code listener.security.protocol.map} maps it
     */
    public record Endpoint(String listenerName, String securityProtocol, String host, int port) {
        public Endpoint {
            if (listenerName == null || listenerName.isBlank() || listenerName.contains(":")) {
                throw new IllegalArgumentException("A listener name is a non-empty word without ':', not "
                        + listenerName);
            }
            if (!SECURITY_PROTOCOLS.contains(securityProtocol)) {
                throw new IllegalArgumentException("Listener " + listenerName + " has security protocol "
                        + securityProtocol + "; it must be one of " + SECURITY_PROTOCOLS);
            }
            Objects.requireNonNull(host, () -> "Listener " + listenerName + " has no host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Listener " + listenerName + " has port " + port
                        + ", outside 0..65535");
            }
        }

        /**
         * A listener whose protocol is the one its name says ({@code SSL://...}), else PLAINTEXT:
         * Kafka's default {@code listener.security.protocol.map}.
         */
        public static Endpoint of(String listenerName, String host, int port) {
            return new Endpoint(listenerName, SECURITY_PROTOCOLS.contains(listenerName) ? listenerName : "PLAINTEXT",
                    host, port);
        }

        @Override
        public String toString() {
            return listenerName + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public BrokerRegistration {
        Objects.requireNonNull(rack, "rack");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("Broker " + brokerId + " needs at least one endpoint");
        }
        HashSet<String> names = new HashSet<>();
        for (Endpoint e : endpoints) {
            if (!names.add(e.listenerName())) {
                throw new IllegalArgumentException("Broker " + brokerId + " advertises listener " + e.listenerName()
                        + " twice: " + endpoints);
            }
        }
    }

    /** A broker with one PLAINTEXT endpoint, at {@code host:port}. */
    public BrokerRegistration(int brokerId, String host, int port, Optional<String> rack, long epoch) {
        this(brokerId, host, port, rack, epoch, List.of(new Endpoint("PLAINTEXT", "PLAINTEXT", host, port)));
    }

    /** This registration with another epoch. */
    public BrokerRegistration withEpoch(long newEpoch) {
        return new BrokerRegistration(brokerId, host, port, rack, newEpoch, endpoints);
    }

    /** The endpoint of listener {@code listenerName}, e.g. {@code inter.broker.listener.name}'s. */
    public Optional<Endpoint> endpoint(String listenerName) {
        return endpoints.stream().filter(e -> e.listenerName().equals(listenerName)).findFirst();
    }
}
