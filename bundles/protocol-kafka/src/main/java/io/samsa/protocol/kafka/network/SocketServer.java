package io.samsa.protocol.kafka.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on the configured listeners and gives each its own thread. Closes
 * connections that sit idle longer than {@code connections.max.idle.ms}.
 */
public final class SocketServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);
    private static final long JOIN_MILLIS = 2000;

    private final List<ListenerAddress> listeners;
    private final RequestProcessor processor;
    private final int maxRequestBytes;
    private final long idleMillis;
    private final List<ServerSocketChannel> serverChannels = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final Map<Connection, Thread> connections = new ConcurrentHashMap<>();
    private final AtomicLong connectionCounter = new AtomicLong();
    private ScheduledExecutorService idleReaper;
    private volatile boolean running;

    public SocketServer(List<ListenerAddress> listeners, RequestProcessor processor, int maxRequestBytes,
            long idleMillis) {
        this.listeners = List.copyOf(listeners);
        this.processor = processor;
        this.maxRequestBytes = maxRequestBytes;
        this.idleMillis = idleMillis;
    }

    /**
     * Binds every listener and starts accepting.
     *
     * @return the bound addresses, in listener order
     * @throws IOException naming the listener that could not be bound; nothing stays bound
     */
    public synchronized List<InetSocketAddress> start() throws IOException {
        running = true;
        try {
            for (ListenerAddress listener : listeners) {
                ServerSocketChannel server = ServerSocketChannel.open();
                serverChannels.add(server);
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                try {
                    server.bind(listener.socketAddress());
                } catch (IOException e) {
                    throw new IOException("Cannot bind listener " + listener + ": " + e.getMessage(), e);
                }
                InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
                boundAddresses.add(bound);
                Thread acceptor = new Thread(() -> accept(server), "kafka-acceptor-" + bound);
                acceptor.setDaemon(true);
                acceptors.add(acceptor);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        acceptors.forEach(Thread::start);
        if (idleMillis > 0) {
            idleReaper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kafka-idle-connection-reaper");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(10, Math.min(idleMillis / 4, 10_000));
            idleReaper.scheduleAtFixedRate(this::closeIdleConnections, period, period, TimeUnit.MILLISECONDS);
        }
        return List.copyOf(boundAddresses);
    }

    public synchronized List<InetSocketAddress> boundAddresses() {
        return List.copyOf(boundAddresses);
    }

    public int connectionCount() {
        return connections.size();
    }

    private void accept(ServerSocketChannel server) {
        while (running) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (!running) {
                    break;
                }
                LOG.warn("Accepting a connection failed: {}", e.toString());
                pause();
                continue;
            }
            try {
                startConnection(socket);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not set up an accepted connection: {}", e.toString());
                closeQuietly(socket);
            }
        }
    }

    private void startConnection(SocketChannel socket) throws IOException {
        socket.configureBlocking(true);
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        String client = String.valueOf(socket.getRemoteAddress());
        Connection connection = new Connection(socket, client, processor, maxRequestBytes, connections::remove);
        Thread thread = new Thread(connection, "kafka-connection-" + connectionCounter.incrementAndGet() + "-" + client);
        thread.setDaemon(true);
        connections.put(connection, thread);
        if (!running) {
            connections.remove(connection);
            connection.close();
            return;
        }
        LOG.debug("Accepted a connection from {}", client);
        thread.start();
    }

    private void closeIdleConnections() {
        long now = System.nanoTime();
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        for (Connection connection : connections.keySet()) {
            if (connection.idleLongerThan(now, idleNanos)) {
                LOG.debug("Closing the connection from {}: idle for more than {} ms", connection.clientAddress(),
                        idleMillis);
                connection.close();
            }
        }
    }

    /** Stops accepting, closes every connection and waits briefly for their threads. */
    @Override
    public synchronized void close() {
        running = false;
        if (idleReaper != null) {
            idleReaper.shutdownNow();
            idleReaper = null;
        }
        serverChannels.forEach(SocketServer::closeQuietly);
        serverChannels.clear();
        List<Thread> threads = new ArrayList<>(acceptors);
        for (Map.Entry<Connection, Thread> entry : connections.entrySet()) {
            entry.getKey().close();
            // Interrupt threads waiting on a long poll or a group rebalance.
            entry.getValue().interrupt();
            threads.add(entry.getValue());
        }
        long deadline = System.currentTimeMillis() + JOIN_MILLIS;
        for (Thread thread : threads) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0 || thread == Thread.currentThread()) {
                continue;
            }
            try {
                thread.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        acceptors.clear();
        boundAddresses.clear();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing {}: {}", channel, e.toString());
        }
    }
}
