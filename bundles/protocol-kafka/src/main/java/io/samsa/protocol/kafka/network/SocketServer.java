package io.samsa.protocol.kafka.network;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves Kafka clients on already bound listeners, with a fixed number of threads however many
 * clients connect. The threading model, as in Kafka's SocketServer:
 * <ol>
 * <li>one <b>acceptor</b> thread per listener accepts connections, closes those over
 * {@code max.connections} / {@code max.connections.per.ip}, and deals the rest round-robin to
 * the network threads;</li>
 * <li>{@code num.network.threads} <b>processors</b> (network threads), each with its own selector,
 * read request frames from non-blocking sockets; a connection whose request is being served is
 * muted (not read) until its reply is written, so replies keep request order and a client that
 * never reads its replies only stalls itself;</li>
 * <li>a complete frame goes to the <b>request queue</b>, which holds at most
 * {@code queued.max.requests}; when it is full the processor keeps the frame and retries, reading
 * nothing more from that connection meanwhile (backpressure, nothing is dropped);</li>
 * <li>{@code num.io.threads} <b>request handler</b> threads parse the request and call its API
 * handler, which returns a {@code CompletionStage} and never blocks: a Fetch long poll, a
 * JoinGroup waiting for the rebalance or an acks=all produce holds no thread while it waits;</li>
 * <li>on <b>completion</b>, on whatever thread completes the stage, the encoded reply is handed to
 * the connection's processor, which <b>writes</b> it, registering for OP_WRITE if the socket takes
 * only part (fetched records go from the log to the socket with {@code transferTo});</li>
 * <li>once the reply is written the connection is unmuted and the next frame is read.</li>
 * </ol>
 * Idle connections ({@code connections.max.idle.ms}) are closed by their processor. Every size
 * changes live ({@link #reconfigure}); a retired processor moves its connections, mid-request or
 * not, to the remaining ones, so a resize closes nothing.
 */
public final class SocketServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);
    private static final long JOIN_MILLIS = 2000;

    private final BoundListeners listeners;
    private final RequestProcessor requests;
    private final ConnectionQuotas quotas;
    private final RequestHandlerPool handlers;
    private final List<Acceptor> acceptors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger nextProcessorId = new AtomicInteger();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile List<Processor> processors = List.of();
    private NetworkSettings settings;
    private boolean closed;

    public SocketServer(BoundListeners listeners, RequestProcessor requests, NetworkSettings settings) {
        this.listeners = listeners;
        this.requests = requests;
        this.settings = settings;
        this.quotas = new ConnectionQuotas(settings);
        this.handlers = new RequestHandlerPool(settings.numIoThreads(), settings.queuedMaxRequests());
    }

    /** Starts the network threads and then the acceptors. */
    public synchronized void start() throws IOException {
        try {
            List<Processor> started = new ArrayList<>();
            for (int i = 0; i < settings.numNetworkThreads(); i++) {
                started.add(startProcessor());
            }
            processors = List.copyOf(started);
            List<ListenerAddress> names = listeners.listeners();
            for (int i = 0; i < names.size(); i++) {
                Acceptor acceptor = new Acceptor(names.get(i), listeners.channels().get(i), quotas, this::nextProcessor);
                acceptors.add(acceptor);
                startThread(acceptor, "kafka-acceptor-" + listeners.boundAddresses().get(i));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Applies new sizes and limits without closing any connection: handler threads are added or
     * leave after their current request, network threads are added or retired (their connections
     * move to the others), and new limits apply to connections accepted from now on.
     */
    public synchronized void reconfigure(NetworkSettings next) throws IOException {
        if (closed) {
            return;
        }
        NetworkSettings previous = settings;
        settings = next;
        quotas.update(next);
        handlers.resize(next.numIoThreads(), next.queuedMaxRequests());
        List<Processor> current = new ArrayList<>(processors);
        for (Processor processor : current) {
            processor.update(next);
        }
        while (current.size() < next.numNetworkThreads()) {
            current.add(startProcessor());
        }
        List<Processor> retiring = new ArrayList<>();
        while (current.size() > next.numNetworkThreads()) {
            retiring.add(current.remove(current.size() - 1));
        }
        processors = List.copyOf(current);
        for (Processor processor : retiring) {
            processor.retire(this::nextProcessor);
        }
        if (previous.numIoThreads() != next.numIoThreads() || previous.numNetworkThreads() != next.numNetworkThreads()) {
            LOG.info("Kafka protocol threads resized: num.network.threads {} -> {}, num.io.threads {} -> {}",
                    previous.numNetworkThreads(), next.numNetworkThreads(), previous.numIoThreads(),
                    next.numIoThreads());
        }
    }

    public synchronized NetworkSettings settings() {
        return settings;
    }

    public int connectionCount() {
        return quotas.total();
    }

    public int networkThreads() {
        return processors.size();
    }

    public int ioThreads() {
        return handlers.threads();
    }

    /** Stops accepting, closes every connection and waits briefly for the threads. */
    @Override
    public synchronized void close() {
        closed = true;
        acceptors.forEach(Acceptor::shutdown);
        processors.forEach(Processor::shutdown);
        processors = List.of();
        handlers.shutdown(JOIN_MILLIS);
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
        threads.clear();
    }

    private Processor nextProcessor() {
        List<Processor> current = processors;
        return current.get(Math.floorMod(roundRobin.getAndIncrement(), current.size()));
    }

    private Processor startProcessor() throws IOException {
        int id = nextProcessorId.getAndIncrement();
        Processor processor = new Processor(id, requests, handlers, quotas, settings);
        startThread(processor, "kafka-network-thread-" + id);
        return processor;
    }

    private void startThread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        threads.removeIf(t -> !t.isAlive() && t.getState() == Thread.State.TERMINATED);
        threads.add(thread);
        thread.start();
    }
}
