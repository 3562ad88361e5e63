package io.samsa.protocol.kafka.network;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network thread: one selector over the connections the acceptors gave it. It reads frames,
 * mutes a connection while its request is with the handlers, queues the request, writes replies
 * as the socket takes them (OP_WRITE for the rest), closes connections idle past
 * {@code connections.max.idle.ms}, and on retirement hands its connections to the remaining
 * network threads. Only this thread touches its selector and its connections' I/O state; other
 * threads reach it through the two queues and {@link Selector#wakeup()}.
 */
final class Processor implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Processor.class);
    private static final long SELECT_MILLIS = 300;
    /** While a request waits for room in the handler queue, look again this often. */
    private static final long RETRY_MILLIS = 5;

    private final int id;
    private final Selector selector;
    private final RequestProcessor requests;
    private final RequestHandlerPool handlers;
    private final ConnectionQuotas quotas;
    private final Queue<Connection> arriving = new ConcurrentLinkedQueue<>();
    private final Queue<Connection> replies = new ConcurrentLinkedQueue<>();
    private final Set<Connection> connections = new HashSet<>();
    private final Queue<Connection> waitingForRoom = new ArrayDeque<>();
    private volatile NetworkSettings settings;
    private volatile Supplier<Processor> successor;
    private volatile boolean running = true;
    private long nextIdleCheckNanos;

    Processor(int id, RequestProcessor requests, RequestHandlerPool handlers, ConnectionQuotas quotas,
            NetworkSettings settings) throws IOException {
        this.id = id;
        this.selector = Selector.open();
        this.requests = requests;
        this.handlers = handlers;
        this.quotas = quotas;
        this.settings = settings;
    }

    int id() {
        return id;
    }

    void update(NetworkSettings next) {
        settings = next;
        selector.wakeup();
    }

    /** From an acceptor (or a retiring processor): serve this connection from now on. */
    void adopt(Connection connection) {
        arriving.add(connection);
        selector.wakeup();
        if (!running) {
            // Lost the race with shutdown: the loop that would register it is gone.
            drainArrivingOnShutdown();
        }
    }

    /** From any thread, after {@link Connection#complete}: a reply is ready to write. */
    void replyReady(Connection connection) {
        replies.add(connection);
        selector.wakeup();
    }

    /** Hand every connection to {@code next} (chosen per connection) and stop. */
    void retire(Supplier<Processor> next) {
        successor = next;
        selector.wakeup();
    }

    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running && successor == null) {
                registerArrivals();
                writeReplies();
                queueWaitingRequests();
                selector.select(waitingForRoom.isEmpty() ? SELECT_MILLIS : RETRY_MILLIS);
                handleSelected();
                closeIdleConnections();
            }
            if (running) {
                handOver(successor);
            }
        } catch (ClosedSelectorException e) {
            LOG.debug("Network thread {} stopped: selector closed", id);
        } catch (Throwable t) {
            LOG.error("Network thread {} failed; closing its {} connections", id, connections.size(), t);
        } finally {
            for (Connection connection : new ArrayList<>(connections)) {
                close(connection);
            }
            running = false;
            drainArrivingOnShutdown();
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("Closing the selector of network thread {}: {}", id, e.toString());
            }
        }
    }

    private void registerArrivals() {
        Connection connection;
        while ((connection = arriving.poll()) != null) {
            try {
                connection.key = connection.socket.register(selector, connection.interestOps(), connection);
                connections.add(connection);
                if (connection.pendingRequest != null) {
                    waitingForRoom.add(connection);
                }
                // A reply that completed while the connection moved over was meant for us.
                if (connection.inFlight() && !connection.sending()) {
                    replies.add(connection);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("Connection from {} could not be registered: {}", connection.clientAddress(), e.toString());
                close(connection);
            }
        }
    }

    private void writeReplies() {
        Connection connection;
        while ((connection = replies.poll()) != null) {
            if (connection.closed || connection.owner() != this) {
                if (!connection.closed && connection.owner() != this) {
                    connection.owner().replyReady(connection);
                }
                continue;
            }
            Reply reply = connection.takeReply();
            if (reply == null) {
                continue;
            }
            connection.times.responseDequeuedNanos = System.nanoTime();
            try {
                if (reply.send() == null || connection.startSend(reply.send(), reply.close())) {
                    afterReply(connection, reply.close());
                } else {
                    connection.updateInterest();
                }
            } catch (IOException e) {
                LOG.debug("Writing to {} failed: {}", connection.clientAddress(), e.toString());
                close(connection);
            }
        }
    }

    private void afterReply(Connection connection, boolean close) {
        try {
            requests.replySent(connection, System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("Recording the times of a request from {} failed", connection.clientAddress(), e);
        }
        if (connection.finishRequest(close)) {
            connection.updateInterest();
        } else {
            close(connection);
        }
    }

    private void handleSelected() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Connection connection = (Connection) key.attachment();
            if (!key.isValid() || connection.closed) {
                continue;
            }
            try {
                if (key.isWritable() && connection.sending()) {
                    if (connection.write()) {
                        afterReply(connection, false);
                    }
                } else if (key.isReadable() && !connection.inFlight()) {
                    ByteBuffer frame = connection.read(settings.socketRequestMaxBytes());
                    if (frame != null) {
                        connection.times.received(System.nanoTime());
                        connection.updateInterest();
                        connection.pendingRequest = frame;
                        if (!submit(connection)) {
                            waitingForRoom.add(connection);
                        }
                    }
                }
            } catch (Connection.InvalidFrameException e) {
                LOG.warn("Closing the connection from {}: {}", connection.clientAddress(), e.getMessage());
                close(connection);
            } catch (EOFException e) {
                LOG.debug("Connection from {} {}", connection.clientAddress(), e.getMessage());
                close(connection);
            } catch (IOException e) {
                LOG.debug("Connection from {} failed: {}", connection.clientAddress(), e.toString());
                close(connection);
            }
        }
    }

    private void queueWaitingRequests() {
        while (!waitingForRoom.isEmpty()) {
            Connection connection = waitingForRoom.peek();
            if (!connection.closed && connection.owner() == this && !submit(connection)) {
                return;
            }
            waitingForRoom.poll();
        }
    }

    private boolean submit(Connection connection) {
        ByteBuffer request = connection.pendingRequest;
        if (!handlers.trySubmit(() -> serve(connection, request))) {
            return false;
        }
        connection.pendingRequest = null;
        return true;
    }

    /** On a handler thread: start serving, and have the reply come back here whenever it is ready. */
    private void serve(Connection connection, ByteBuffer request) {
        CompletionStage<Reply> reply;
        RequestTimes times = connection.times;
        times.dequeuedNanos = System.nanoTime();
        try {
            reply = requests.process(request, connection);
        } catch (RuntimeException | Error e) {
            LOG.error("Closing the connection from {}: serving a request failed", connection.clientAddress(), e);
            times.completed(System.nanoTime());
            connection.complete(Reply.CLOSE);
            return;
        }
        times.localDone(System.nanoTime());
        reply.whenComplete((done, failure) -> {
            times.completed(System.nanoTime());
            if (failure != null) {
                LOG.error("Closing the connection from {}: serving a request failed", connection.clientAddress(),
                        failure);
            }
            connection.complete(failure == null && done != null ? done : Reply.CLOSE);
        });
    }

    private void closeIdleConnections() {
        long idleMillis = settings.connectionsMaxIdleMs();
        long now = System.nanoTime();
        if (idleMillis <= 0 || now - nextIdleCheckNanos < 0) {
            return;
        }
        nextIdleCheckNanos = now + TimeUnit.MILLISECONDS.toNanos(Math.max(10, Math.min(idleMillis / 4, 10_000)));
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        List<Connection> idle = new ArrayList<>();
        for (Connection connection : connections) {
            if (connection.idleLongerThan(now, idleNanos)) {
                idle.add(connection);
            }
        }
        for (Connection connection : idle) {
            LOG.info("Closing the connection from {}: idle for more than {} ms (connections.max.idle.ms)",
                    connection.clientAddress(), idleMillis);
            close(connection);
        }
    }

    /** Moves every connection, with whatever it is in the middle of, to the remaining network threads. */
    private void handOver(Supplier<Processor> next) throws IOException {
        List<Connection> moving = new ArrayList<>(connections);
        for (Connection connection : moving) {
            connection.key.cancel();
        }
        // Completes the cancellations, so the sockets can join another selector.
        selector.selectNow();
        for (Connection connection : moving) {
            connections.remove(connection);
            connection.key = null;
            Processor target = next.get();
            connection.moveTo(target);
            target.adopt(connection);
        }
        Connection arrived;
        while ((arrived = arriving.poll()) != null) {
            Processor target = next.get();
            arrived.moveTo(target);
            target.adopt(arrived);
        }
        waitingForRoom.clear();
        LOG.info("Network thread {} retired; its {} connections moved to the remaining network threads", id,
                moving.size());
    }

    private void drainArrivingOnShutdown() {
        Connection connection;
        while ((connection = arriving.poll()) != null) {
            closeSocket(connection);
        }
    }

    private void close(Connection connection) {
        connections.remove(connection);
        if (connection.key != null) {
            connection.key.cancel();
        }
        closeSocket(connection);
    }

    /** Safe from any thread; the quota slot is given back exactly once. */
    private void closeSocket(Connection connection) {
        synchronized (connection) {
            if (connection.closed) {
                return;
            }
            connection.closed = true;
        }
        try {
            connection.socket.close();
        } catch (IOException e) {
            LOG.debug("Closing the connection from {}: {}", connection.clientAddress(), e.toString());
        }
        quotas.release(connection.address);
    }
}
