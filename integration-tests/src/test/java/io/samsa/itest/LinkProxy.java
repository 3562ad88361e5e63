package io.samsa.itest;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy for one link (clients → a target port) whose behaviour a test switches
 * while traffic flows, per direction: {@link Mode#PASS}, {@link Mode#BLACKHOLE} (nothing is
 * forwarded but every socket stays open: a network partition, not a refused connection),
 * {@link Mode#RESET} (every connection, open or new, is reset) and {@link Mode#delay(long)}.
 * Bytes held by a blackhole are delivered, in order, when the link heals, as TCP retransmission
 * would; a blackholed direction also stops reading, so senders feel back-pressure.
 * <p>
 * With {@link Framing#KAFKA} it reads whole Kafka frames and can lose the response to chosen
 * Produce requests: the broker has appended the batch, the client never hears so, its connection
 * drops, and it must retry. That is the case idempotent producers exist for. {@link Framing#RAW}
 * forwards bytes as they come, for any protocol (ZooKeeper links).
 * <p>
 * Only the JDK is used: the class also runs inside the Pax Exam probe.
 */
final class LinkProxy implements AutoCloseable {

    /** How the proxy reads a stream: as opaque bytes or as Kafka's size-prefixed frames. */
    enum Framing { RAW, KAFKA }

    /** Client to target (requests), or target to client (responses). */
    enum Direction { TO_TARGET, FROM_TARGET }

    /** What the proxy does with one direction of the link. */
    static final class Mode {
        enum Kind { PASS, BLACKHOLE, RESET, DELAY }

        static final Mode PASS = new Mode(Kind.PASS, 0);
        static final Mode BLACKHOLE = new Mode(Kind.BLACKHOLE, 0);
        static final Mode RESET = new Mode(Kind.RESET, 0);

        private final Kind kind;
        private final long delayMs;

        private Mode(Kind kind, long delayMs) {
            this.kind = kind;
            this.delayMs = delayMs;
        }

        /** Forward, but each chunk only {@code ms} milliseconds after it arrived (latency, not a rate cap). */
        static Mode delay(long ms) {
            if (ms < 0) {
                throw new IllegalArgumentException("a link delay must be 0 ms or more, not " + ms);
            }
            return new Mode(Kind.DELAY, ms);
        }

        Kind kind() {
            return kind;
        }

        long delayMs() {
            return delayMs;
        }

        @Override
        public String toString() {
            return kind == Kind.DELAY ? "DELAY(" + delayMs + " ms)" : kind.name();
        }
    }

    private static final short PRODUCE = 0;
    private static final int RAW_CHUNK = 16 * 1024;
    /** Larger than any frame Samsa accepts: a bigger size means the stream is not Kafka's. */
    private static final int MAX_FRAME = 200 * 1024 * 1024;

    private final ServerSocket server;
    private final int targetPort;
    private final Framing framing;
    private final Object modeLock = new Object();
    private final Map<Direction, Mode> modes = new EnumMap<>(Direction.class);
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger produceResponsesToDrop = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Listens on 127.0.0.1:{@code listenPort} (0 picks a free port) and forwards to
     * 127.0.0.1:{@code targetPort}.
     */
    LinkProxy(int listenPort, int targetPort, Framing framing) throws IOException {
        if (targetPort <= 0 || targetPort > 65535) {
            throw new IllegalArgumentException("target port must be 1..65535, not " + targetPort);
        }
        this.server = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.framing = framing;
        modes.put(Direction.TO_TARGET, Mode.PASS);
        modes.put(Direction.FROM_TARGET, Mode.PASS);
        Thread acceptor = new Thread(this::acceptLoop, "link-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to. */
    int port() {
        return server.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** Sets both directions. */
    void mode(Mode mode) {
        setModes(mode, Direction.values());
    }

    /** Sets one direction, for asymmetric faults; RESET resets whole connections either way. */
    void mode(Direction direction, Mode mode) {
        setModes(mode, direction);
    }

    Mode mode(Direction direction) {
        synchronized (modeLock) {
            return modes.get(direction);
        }
    }

    private void setModes(Mode mode, Direction... directions) {
        if (mode == null) {
            throw new IllegalArgumentException("a link mode is required (PASS to heal)");
        }
        synchronized (modeLock) {
            for (Direction d : directions) {
                modes.put(d, mode);
            }
            modeLock.notifyAll();
        }
        if (mode.kind() == Mode.Kind.RESET) {
            connections.forEach(Connection::reset);
        }
    }

    private boolean resetting() {
        synchronized (modeLock) {
            return modes.values().stream().anyMatch(m -> m.kind() == Mode.Kind.RESET);
        }
    }

    /** Loses the responses to the next {@code n} Produce requests (Kafka framing only). */
    void dropNextProduceResponses(int n) {
        if (framing != Framing.KAFKA) {
            throw new IllegalStateException("dropping Produce responses needs Framing.KAFKA; this proxy forwards "
                    + framing + " bytes");
        }
        produceResponsesToDrop.set(n);
    }

    int droppedResponses() {
        return dropped.get();
    }

    /** Connections accepted since the proxy started. */
    int acceptedConnections() {
        return accepted.get();
    }

    /** Connections currently open through the proxy. */
    int openConnections() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("link proxy on " + port() + ": accept failed: " + e);
                }
                continue;
            }
            accepted.incrementAndGet();
            if (resetting()) {
                resetQuietly(client);
                continue;
            }
            Socket target;
            try {
                target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            } catch (IOException e) {
                // The target is down: the client sees its connection end, as it would see a refusal.
                resetQuietly(client);
                continue;
            }
            Connection c = new Connection(client, target);
            connections.add(c);
            if (resetting()) {
                c.reset(); // RESET was set while this one connected
                continue;
            }
            c.start();
        }
    }

    /** Waits while {@code direction} is blackholed; false once the connection is gone. */
    private boolean awaitForwarding(Direction direction, Connection c) {
        synchronized (modeLock) {
            while (modes.get(direction).kind() == Mode.Kind.BLACKHOLE && !c.closed && !closed) {
                try {
                    modeLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !c.closed && !closed;
    }

    private long delayNanos(Direction direction) {
        Mode m = mode(direction);
        return m.kind() == Mode.Kind.DELAY ? TimeUnit.MILLISECONDS.toNanos(m.delayMs()) : 0;
    }

    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private static final Chunk END = new Chunk(0, new byte[0]);

    /** One client connection and its connection to the target, with a reader and a writer per direction. */
    private final class Connection {
        final Socket client;
        final Socket target;
        final Set<Integer> doomedCorrelationIds = ConcurrentHashMap.newKeySet();
        volatile boolean closed;

        Connection(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

        void start() {
            pipe(Direction.TO_TARGET, client, target);
            pipe(Direction.FROM_TARGET, target, client);
        }

        private void pipe(Direction direction, Socket from, Socket to) {
            BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            thread("read", () -> read(direction, from, queue));
            thread("write", () -> write(direction, to, queue));
        }

        private void thread(String what, Runnable r) {
            Thread t = new Thread(r, "link-proxy-" + port() + "-" + what);
            t.setDaemon(true);
            t.start();
        }

        private void read(Direction direction, Socket from, BlockingQueue<Chunk> queue) {
            try {
                InputStream in = from.getInputStream();
                DataInputStream frames = new DataInputStream(in);
                byte[] buffer = new byte[RAW_CHUNK];
                while (awaitForwarding(direction, this)) {
                    byte[] bytes;
                    if (framing == Framing.RAW) {
                        int n = in.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        bytes = Arrays.copyOf(buffer, n);
                    } else {
                        bytes = readFrame(frames);
                        if (!inspect(direction, bytes)) {
                            return;
                        }
                    }
                    queue.add(new Chunk(System.nanoTime() + delayNanos(direction), bytes));
                }
            } catch (IOException e) {
                // the socket was closed or reset: the connection ends
            } finally {
                queue.add(END);
            }
        }

        private byte[] readFrame(DataInputStream in) throws IOException {
            int size = in.readInt();
            if (size < 0 || size > MAX_FRAME) {
                throw new IOException("not a Kafka frame: size " + size);
            }
            byte[] frame = new byte[4 + size];
            frame[0] = (byte) (size >>> 24);
            frame[1] = (byte) (size >>> 16);
            frame[2] = (byte) (size >>> 8);
            frame[3] = (byte) size;
            in.readFully(frame, 4, size);
            return frame;
        }

        /**
         * Applies the Produce-response losses; false when this frame is lost, which ends the
         * connection once the writer has sent what came before it.
         */
        private boolean inspect(Direction direction, byte[] frame) {
            if (direction == Direction.TO_TARGET) {
                // request header: api key (2), api version (2), correlation id (4)
                if (frame.length >= 12 && readShort(frame, 4) == PRODUCE
                        && produceResponsesToDrop.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    doomedCorrelationIds.add(readInt(frame, 8));
                }
                return true;
            }
            // response header: correlation id (4)
            if (frame.length >= 8 && doomedCorrelationIds.remove(readInt(frame, 4))) {
                dropped.incrementAndGet();
                return false;
            }
            return true;
        }

        private void write(Direction direction, Socket to, BlockingQueue<Chunk> queue) {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    if (chunk == END) {
                        break;
                    }
                    long wait = chunk.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (!awaitForwarding(direction, this)) {
                        break;
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
            } catch (IOException e) {
                // the socket was closed or reset
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }

        void reset() {
            closed = true;
            resetQuietly(client);
            resetQuietly(target);
            connections.remove(this);
        }

        void close() {
            closed = true;
            closeQuietly(client);
            closeQuietly(target);
            connections.remove(this);
        }
    }

    private static short readShort(byte[] b, int at) {
        return (short) (((b[at] & 0xff) << 8) | (b[at + 1] & 0xff));
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /** Closes with SO_LINGER 0, so the peer gets a TCP RST rather than an orderly end of stream. */
    private static void resetQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed by the other direction
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        synchronized (modeLock) {
            modeLock.notifyAll();
        }
        server.close();
        connections.forEach(Connection::close);
    }
}
