package io.samsa.protocol.kafka.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening sockets of {@code listeners}, bound before anything is served so that the
 * addresses clients are told about ({@code advertised.listeners}, or the listeners themselves)
 * carry the ports actually bound, port 0 included. Serving them is {@link SocketServer}'s job;
 * closing them is this class's.
 */
public final class BoundListeners implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BoundListeners.class);

    private final List<ListenerAddress> listeners;
    private final List<ServerSocketChannel> channels;
    private final List<InetSocketAddress> boundAddresses;
    private final List<ListenerAddress> advertised;

    private BoundListeners(List<ListenerAddress> listeners, List<ServerSocketChannel> channels,
            List<InetSocketAddress> boundAddresses, List<ListenerAddress> advertised) {
        this.listeners = listeners;
        this.channels = channels;
        this.boundAddresses = boundAddresses;
        this.advertised = advertised;
    }

    /**
     * Binds every listener.
     *
     * @param advertised the advertised listeners, or empty to advertise the listeners
     * @throws IOException naming the listener that could not be bound; nothing stays bound
     */
    public static BoundListeners bind(List<ListenerAddress> listeners, List<ListenerAddress> advertised)
            throws IOException {
        List<ServerSocketChannel> channels = new ArrayList<>();
        List<InetSocketAddress> bound = new ArrayList<>();
        try {
            for (ListenerAddress listener : listeners) {
                ServerSocketChannel server = ServerSocketChannel.open();
                channels.add(server);
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                try {
                    server.bind(listener.socketAddress());
                } catch (IOException e) {
                    throw new IOException("Cannot bind listener " + listener + ": " + e.getMessage(), e);
                }
                server.configureBlocking(false);
                bound.add((InetSocketAddress) server.getLocalAddress());
            }
        } catch (IOException | RuntimeException e) {
            channels.forEach(BoundListeners::closeQuietly);
            throw e;
        }
        List<ListenerAddress> published = new ArrayList<>();
        for (ListenerAddress entry : advertised.isEmpty() ? listeners : advertised) {
            published.add(publishable(entry, listeners, bound));
        }
        return new BoundListeners(List.copyOf(listeners), List.copyOf(channels), List.copyOf(bound),
                List.copyOf(published));
    }

    /**
     * What a client can connect to: port 0 becomes the port bound by the listener of that name,
     * and an empty or wildcard host becomes the loopback address.
     */
    private static ListenerAddress publishable(ListenerAddress entry, List<ListenerAddress> listeners,
            List<InetSocketAddress> bound) {
        int port = entry.port();
        if (port == 0) {
            for (int i = 0; i < listeners.size(); i++) {
                if (listeners.get(i).name().equals(entry.name())) {
                    port = bound.get(i).getPort();
                    break;
                }
            }
        }
        String host = entry.host();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        return new ListenerAddress(entry.name(), host, port);
    }

    public List<ListenerAddress> listeners() {
        return listeners;
    }

    List<ServerSocketChannel> channels() {
        return channels;
    }

    /** The addresses actually bound, in listener order. */
    public List<InetSocketAddress> boundAddresses() {
        return boundAddresses;
    }

    /** The addresses given to clients, with real ports. */
    public List<ListenerAddress> advertised() {
        return advertised;
    }

    @Override
    public void close() {
        channels.forEach(BoundListeners::closeQuietly);
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing {}: {}", channel, e.toString());
        }
    }
}
