package io.samsa.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many client connections from one thread of this process, the cheapest load a 2-core client
 * machine can carry: {@code idle} raw sockets that each send one ApiVersions request and then
 * stay open without a word, and {@code longPolls} sockets that each keep one Fetch (v4,
 * max.wait.ms 500, min.bytes 1) of an empty partition outstanding, sending the next as soon as
 * the broker answers, like consumers long-polling an idle topic. Responses are counted and their
 * bytes skipped, not parsed: what is measured is what holding the connections costs the broker.
 */
public final class ConnectionLoad implements AutoCloseable {
    /** Connections opened but not yet answered at any time; more would overflow the accept backlog. */
    private static final int OPENING_AT_ONCE = 200;
    private static final int FETCH_MAX_WAIT_MS = 500;

    private final InetSocketAddress broker;
    private final int idle;
    private final int longPolls;
    private final ByteBuffer apiVersions;
    private final ByteBuffer[] fetches;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final Selector selector;
    private final Thread thread;
    private final AtomicLong idleAnswered = new AtomicLong();
    private final AtomicLong pollsAnswered = new AtomicLong();
    private final AtomicLong fetchResponses = new AtomicLong();
    private final AtomicLong closedByBroker = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private volatile String lastError = "";
    private volatile boolean running = true;
    private int opened;
    private int opening;

    /** Per connection: the request being written, and how much of the current response is left. */
    private static final class Conn {
        final boolean poller;
        final ByteBuffer request;
        ByteBuffer out;
        final ByteBuffer size = ByteBuffer.allocate(4);
        int bodyLeft = -1;
        boolean answered;

        Conn(boolean poller, ByteBuffer request) {
            this.poller = poller;
            this.request = request;
        }
    }

    /**
     * @param topic      the empty topic the long polls fetch from
     * @param partitions its partition count; poller i fetches partition i mod partitions
     */
    public ConnectionLoad(int port, int idle, int longPolls, String topic, int partitions) throws IOException {
        this.broker = new InetSocketAddress("127.0.0.1", port);
        this.idle = idle;
        this.longPolls = longPolls;
        this.apiVersions = apiVersionsV0().asReadOnlyBuffer();
        this.fetches = new ByteBuffer[partitions];
        for (int p = 0; p < partitions; p++) {
            fetches[p] = fetchV4(topic, p).asReadOnlyBuffer();
        }
        this.selector = Selector.open();
        this.thread = new Thread(this::loop, "connection-load");
        thread.setDaemon(true);
        thread.start();
    }

    public int target() {
        return idle + longPolls;
    }

    /** Idle connections whose ApiVersions was answered and that are still open. */
    public long idleHeld() {
        return idleAnswered.get();
    }

    /** Long-poll connections that got at least one Fetch response and are still open. */
    public long pollsHeld() {
        return pollsAnswered.get();
    }

    public long fetchResponses() {
        return fetchResponses.get();
    }

    public long closedByBroker() {
        return closedByBroker.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    public String lastError() {
        return lastError;
    }

    /** True once every connection is open and answered. */
    public boolean allHeld() {
        return idleHeld() == idle && pollsHeld() == longPolls;
    }

    private void loop() {
        try {
            while (running) {
                while (opened < idle + longPolls && opening < OPENING_AT_ONCE) {
                    open(opened >= idle);
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            lastError = e.toString();
        }
    }

    private void open(boolean poller) throws IOException {
        int index = opened++;
        opening++;
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn c = new Conn(poller, poller ? fetches[index % fetches.length] : apiVersions);
        c.out = c.request.duplicate();
        ch.register(selector, SelectionKey.OP_CONNECT, c);
        try {
            if (ch.connect(broker)) {
                ch.keyFor(selector).interestOps(SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {
            failed(ch, c, e);
        }
    }

    private void handle(SelectionKey key) {
        SocketChannel ch = (SocketChannel) key.channel();
        Conn c = (Conn) key.attachment();
        try {
            if (key.isConnectable() && ch.finishConnect()) {
                key.interestOps(SelectionKey.OP_WRITE);
            }
            if (key.isValid() && key.isWritable()) {
                ch.write(c.out);
                if (!c.out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (key.isValid() && key.isReadable()) {
                read(key, ch, c);
            }
        } catch (IOException e) {
            failed(ch, c, e);
        }
    }

    private void read(SelectionKey key, SocketChannel ch, Conn c) throws IOException {
        while (true) {
            if (c.bodyLeft < 0) {
                if (ch.read(c.size) < 0) {
                    brokerClosed(ch, c);
                    return;
                }
                if (c.size.hasRemaining()) {
                    return;
                }
                c.bodyLeft = c.size.getInt(0);
                c.size.clear();
            }
            while (c.bodyLeft > 0) {
                scratch.clear().limit(Math.min(scratch.capacity(), c.bodyLeft));
                int n = ch.read(scratch);
                if (n < 0) {
                    brokerClosed(ch, c);
                    return;
                }
                if (n == 0) {
                    return;
                }
                c.bodyLeft -= n;
            }
            c.bodyLeft = -1;
            answered(c);
            if (c.poller) {
                c.out = c.request.duplicate();
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
        }
    }

    private void answered(Conn c) {
        if (!c.answered) {
            c.answered = true;
            opening--;
            (c.poller ? pollsAnswered : idleAnswered).incrementAndGet();
        }
        if (c.poller) {
            fetchResponses.incrementAndGet();
        }
    }

    private void brokerClosed(SocketChannel ch, Conn c) throws IOException {
        closedByBroker.incrementAndGet();
        forget(ch, c);
    }

    private void failed(SocketChannel ch, Conn c, IOException e) {
        connectFailures.incrementAndGet();
        lastError = e.toString();
        try {
            forget(ch, c);
        } catch (IOException ignored) {
            // closing a socket that already failed
        }
    }

    private void forget(SocketChannel ch, Conn c) throws IOException {
        if (c.answered) {
            (c.poller ? pollsAnswered : idleAnswered).decrementAndGet();
        } else {
            // not retried: a broker refusing connections is what the run reports
            opening--;
        }
        ch.close();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException ignored) {
                // the connection is going away either way
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** ApiVersions v0, request header v1: size, api key 18, version 0, correlation id, client id. */
    static ByteBuffer apiVersionsV0() {
        byte[] client = "bench-idle".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + client.length);
        b.putInt(b.capacity() - 4).putShort((short) 18).putShort((short) 0).putInt(1)
                .putShort((short) client.length).put(client);
        return b.flip();
    }

    /**
     * Fetch v4 (the oldest version both Kafka 4 and Samsa accept, and not flexible) of offset 0 of one
     * partition, header v1.
     */
    static ByteBuffer fetchV4(String topic, int partition) {
        byte[] client = "bench-poll".getBytes(StandardCharsets.US_ASCII);
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        int size = 2 + 2 + 4 + 2 + client.length + 4 + 4 + 4 + 4 + 1 + 4 + 2 + name.length + 4 + 4 + 8 + 4;
        ByteBuffer b = ByteBuffer.allocate(4 + size);
        b.putInt(size).putShort((short) 1).putShort((short) 4).putInt(1).putShort((short) client.length).put(client);
        b.putInt(-1).putInt(FETCH_MAX_WAIT_MS).putInt(1).putInt(1024 * 1024).put((byte) 0);
        b.putInt(1).putShort((short) name.length).put(name);
        b.putInt(1).putInt(partition).putLong(0).putInt(1024 * 1024);
        return b.flip();
    }
}
