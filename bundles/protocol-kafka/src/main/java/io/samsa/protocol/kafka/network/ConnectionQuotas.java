package io.samsa.protocol.kafka.network;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts open connections, broker-wide and per client address, against {@code max.connections}
 * and {@code max.connections.per.ip}. The acceptor asks before handing a connection on; whoever
 * closes it gives the slot back. Limits may change at any time; a lower limit only refuses new
 * connections, it closes none.
 */
final class ConnectionQuotas {

    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private int total;
    private NetworkSettings settings;

    ConnectionQuotas(NetworkSettings settings) {
        this.settings = settings;
    }

    synchronized void update(NetworkSettings next) {
        settings = next;
    }

    /** Takes a slot for {@code address}; null when granted, otherwise why not, naming the limit. */
    synchronized String tryAcquire(InetAddress address) {
        int limit = limitFor(address);
        int current = perAddress.getOrDefault(address, 0);
        if (current >= limit) {
            return "already " + current + " connections from " + address.getHostAddress()
                    + (settings.maxConnectionsPerIpOverrides().containsKey(address.getHostAddress())
                            ? " (max.connections.per.ip.overrides = " + limit + ")"
                            : " (max.connections.per.ip = " + limit + ")");
        }
        if (total >= settings.maxConnections()) {
            return "already " + total + " connections to the broker (max.connections = "
                    + settings.maxConnections() + ")";
        }
        perAddress.put(address, current + 1);
        total++;
        return null;
    }

    synchronized void release(InetAddress address) {
        Integer current = perAddress.get(address);
        if (current == null) {
            return;
        }
        if (current <= 1) {
            perAddress.remove(address);
        } else {
            perAddress.put(address, current - 1);
        }
        total--;
    }

    synchronized int total() {
        return total;
    }

    private int limitFor(InetAddress address) {
        Integer override = settings.maxConnectionsPerIpOverrides().get(address.getHostAddress());
        return override != null ? override : settings.maxConnectionsPerIp();
    }
}
