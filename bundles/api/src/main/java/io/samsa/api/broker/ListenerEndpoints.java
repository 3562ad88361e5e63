package io.samsa.api.broker;

import java.util.List;

/**
 * Where clients reach this broker: the advertised listeners of the protocol front end, published
 * once its listeners are bound, so a listener on port 0 is advertised with the port it got. The
 * broker registers these in the cluster; the front end owns {@code listeners} and
 * {@code advertised.listeners}.
 */
public interface ListenerEndpoints {

    /** One advertised listener, e.g. {@code PLAINTEXT://broker1.example:9092}. */
    record Endpoint(String listenerName, String host, int port) {
        @Override
        public String toString() {
            return listenerName + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The advertised endpoints in configuration order; never empty. */
    List<Endpoint> endpoints();

    /** The endpoint clients are sent to: the first PLAINTEXT one, else the first. */
    default Endpoint clientEndpoint() {
        List<Endpoint> all = endpoints();
        return all.stream().filter(e -> e.listenerName().equals("PLAINTEXT")).findFirst().orElse(all.get(0));
    }
}
