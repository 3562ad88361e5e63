package io.samsa.protocol.kafka.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts the connections of one listener, refuses those over a connection limit, and deals the
 * rest out to the network threads. Its own selector lets it stop without closing the listening
 * socket, which belongs to {@link BoundListeners}. When accept fails (typically "Too many open
 * files") it backs off rather than spinning on the still-pending connection, and reports at most
 * one line per {@link #REPORT_NANOS} until accepting works again.
 */
final class Acceptor implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);
    private static final long MIN_BACKOFF_MILLIS = 20;
    private static final long MAX_BACKOFF_MILLIS = 1000;
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ListenerAddress listener;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final SelectionKey key;
    private final ConnectionQuotas quotas;
    private final Supplier<Processor> processors;
    private volatile boolean running = true;
    private long backoffMillis;
    private long failures;
    private long lastReportNanos;

    Acceptor(ListenerAddress listener, ServerSocketChannel server, ConnectionQuotas quotas,
            Supplier<Processor> processors) throws IOException {
        this.listener = listener;
        this.server = server;
        this.quotas = quotas;
        this.processors = processors;
        this.selector = Selector.open();
        this.key = server.register(selector, SelectionKey.OP_ACCEPT);
    }

    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select();
                selector.selectedKeys().clear();
                acceptPending();
                if (backoffMillis > 0 && running) {
                    // Not interested while backing off, or select would return at once for the same connection.
                    key.interestOps(0);
                    selector.select(backoffMillis);
                    selector.selectedKeys().clear();
                    if (key.isValid()) {
                        key.interestOps(SelectionKey.OP_ACCEPT);
                    }
                }
            }
        } catch (ClosedChannelException | ClosedSelectorException | java.nio.channels.CancelledKeyException e) {
            LOG.debug("Acceptor of {} stopped: {}", listener, e.toString());
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.error("Acceptor of {} failed; no more connections are accepted on it", listener, e);
            }
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("Closing the acceptor selector of {}: {}", listener, e.toString());
            }
        }
    }

    private void acceptPending() throws ClosedChannelException {
        while (running) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (socket == null) {
                return;
            }
            if (failures > 0) {
                LOG.info("Accepting connections on {} again after {} failed attempts", listener, failures);
                failures = 0;
            }
            backoffMillis = 0;
            handOff(socket);
        }
    }

    private void acceptFailed(IOException e) {
        failures++;
        backoffMillis = backoffMillis == 0 ? MIN_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        long now = System.nanoTime();
        if (failures == 1 || now - lastReportNanos >= REPORT_NANOS) {
            lastReportNanos = now;
            LOG.warn("Accepting a connection on {} failed ({} attempts so far): {}; retrying every {} ms at most",
                    listener, failures, e.getMessage(), MAX_BACKOFF_MILLIS);
        }
    }

    private void handOff(SocketChannel socket) {
        InetSocketAddress remote;
        try {
            remote = (InetSocketAddress) socket.getRemoteAddress();
        } catch (IOException e) {
            LOG.debug("An accepted connection on {} went away at once: {}", listener, e.toString());
            closeQuietly(socket);
            return;
        }
        String client = String.valueOf(remote);
        String refusal = quotas.tryAcquire(remote.getAddress());
        if (refusal != null) {
            LOG.warn("Closing the connection from {} on {}: {}", client, listener, refusal);
            closeQuietly(socket);
            return;
        }
        try {
            socket.configureBlocking(false);
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            Processor processor = processors.get();
            LOG.debug("Accepted a connection from {} on {} for network thread {}", client, listener, processor.id());
            processor.adopt(new Connection(socket, remote.getAddress(), client, processor));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Closing the connection from {} on {}: could not set it up: {}", client, listener, e.toString());
            quotas.release(remote.getAddress());
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Closing {}: {}", socket, e.toString());
        }
    }
}
