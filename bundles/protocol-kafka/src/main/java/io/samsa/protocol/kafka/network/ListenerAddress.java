package io.samsa.protocol.kafka.network;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of Kafka's {@code listeners} setting, {@code NAME://host:port}. Only the plaintext
 * protocol is served; an empty host means every interface, as in Kafka.
 */
public record ListenerAddress(String name, String host, int port) {

    public static final String PLAINTEXT = "PLAINTEXT";

    /**
     * Parses a comma-separated {@code listeners} value.
     *
     * @throws IllegalArgumentException naming the entry that is malformed or not PLAINTEXT
     */
    public static List<ListenerAddress> parseList(String listeners) {
        List<ListenerAddress> result = new ArrayList<>();
        if (listeners != null) {
            for (String entry : listeners.split(",")) {
                if (!entry.isBlank()) {
                    result.add(parse(entry.trim()));
                }
            }
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("listeners is empty: expected PLAINTEXT://host:port");
        }
        return result;
    }

    public static ListenerAddress parse(String entry) {
        int scheme = entry.indexOf("://");
        int colon = entry.lastIndexOf(':');
        if (scheme <= 0 || colon <= scheme + 2) {
            throw new IllegalArgumentException("Malformed listener '" + entry + "': expected PLAINTEXT://host:port");
        }
        String name = entry.substring(0, scheme).toUpperCase(Locale.ROOT);
        if (!PLAINTEXT.equals(name)) {
            throw new IllegalArgumentException("Unsupported listener '" + entry + "': only PLAINTEXT is served");
        }
        String host = entry.substring(scheme + 3, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Malformed listener '" + entry + "': port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Malformed listener '" + entry + "': port out of range");
        }
        return new ListenerAddress(name, host, port);
    }

    public InetSocketAddress socketAddress() {
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return name + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
