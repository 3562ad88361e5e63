package io.samsa.protocol.kafka.network;

import java.util.HashMap;
import java.util.Map;

/**
 * The socket server's tunables, as Kafka names them. Everything here may change while the server
 * runs (see {@link SocketServer#reconfigure}); only the listeners themselves need a rebind.
 *
 * @param numNetworkThreads      {@code num.network.threads}: selector threads shared by all listeners
 * @param numIoThreads           {@code num.io.threads}: request handler threads
 * @param queuedMaxRequests      {@code queued.max.requests}: requests waiting for a handler before
 *                               the network threads stop reading
 * @param maxConnections         {@code max.connections}, broker-wide
 * @param maxConnectionsPerIp    {@code max.connections.per.ip}
 * @param maxConnectionsPerIpOverrides {@code max.connections.per.ip.overrides}, by host address
 * @param connectionsMaxIdleMs   {@code connections.max.idle.ms}; 0 or less keeps idle connections
 * @param socketRequestMaxBytes  {@code socket.request.max.bytes}
 */
public record NetworkSettings(int numNetworkThreads, int numIoThreads, int queuedMaxRequests, int maxConnections,
        int maxConnectionsPerIp, Map<String, Integer> maxConnectionsPerIpOverrides, long connectionsMaxIdleMs,
        int socketRequestMaxBytes) {

    public static final NetworkSettings DEFAULTS = new NetworkSettings(3, 8, 500, Integer.MAX_VALUE,
            Integer.MAX_VALUE, Map.of(), 600_000L, 104_857_600);

    /** @throws IllegalArgumentException naming the Kafka key whose value is out of range */
    public NetworkSettings {
        positive("num.network.threads", numNetworkThreads);
        positive("num.io.threads", numIoThreads);
        positive("queued.max.requests", queuedMaxRequests);
        positive("max.connections", maxConnections);
        positive("max.connections.per.ip", maxConnectionsPerIp);
        positive("socket.request.max.bytes", socketRequestMaxBytes);
        maxConnectionsPerIpOverrides = Map.copyOf(maxConnectionsPerIpOverrides);
    }

    public NetworkSettings withThreads(int networkThreads, int ioThreads) {
        return new NetworkSettings(networkThreads, ioThreads, queuedMaxRequests, maxConnections, maxConnectionsPerIp,
                maxConnectionsPerIpOverrides, connectionsMaxIdleMs, socketRequestMaxBytes);
    }

    /**
     * Parses {@code max.connections.per.ip.overrides}: {@code host:count} pairs separated by
     * commas, e.g. {@code 127.0.0.1:200,10.0.0.7:50}; the host is matched against the client's
     * address as written, without a name lookup.
     */
    public static Map<String, Integer> parseOverrides(String value) {
        Map<String, Integer> overrides = new HashMap<>();
        if (value == null) {
            return overrides;
        }
        for (String entry : value.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides entry '" + trimmed
                        + "' is not host:count");
            }
            String host = trimmed.substring(0, colon).trim();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int count;
            try {
                count = Integer.parseInt(trimmed.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides entry '" + trimmed
                        + "' has a count that is not a number");
            }
            if (count < 0) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides entry '" + trimmed
                        + "' has a negative count");
            }
            overrides.put(host, count);
        }
        return overrides;
    }

    private static void positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, not " + value);
        }
    }
}
