package io.samsa.protocol.kafka.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import org.apache.kafka.common.network.Send;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by its own thread over a blocking socket: read a frame, serve
 * it, write the response, repeat. Serving strictly one request at a time is what Kafka does too
 * (it mutes a channel until its response is sent), so responses keep the order of requests.
 */
final class Connection implements Runnable, ClientChannel {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    static final int INITIAL_BUFFER_BYTES = 64 * 1024;
    /** Larger frames get a buffer of their own, so one big request does not pin memory forever. */
    static final int RETAINED_BUFFER_BYTES = 1024 * 1024;
    /** Bounds the JDK's per-thread temporary direct buffer when reading into a heap buffer. */
    private static final int HEAP_READ_CHUNK = 256 * 1024;
    private static final int MAX_IDLE_WRITES = 16;

    private final SocketChannel socket;
    private final SocketTransferChannel out;
    private final String clientAddress;
    private final RequestProcessor processor;
    private final int maxRequestBytes;
    private final Consumer<Connection> onClose;
    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);
    private ByteBuffer readBuffer;
    private boolean readBufferAbandoned;
    private volatile long lastActiveNanos = System.nanoTime();
    private volatile boolean serving;

    Connection(SocketChannel socket, String clientAddress, RequestProcessor processor, int maxRequestBytes,
            Consumer<Connection> onClose) {
        this.socket = socket;
        this.out = new SocketTransferChannel(socket);
        this.clientAddress = clientAddress;
        this.processor = processor;
        this.maxRequestBytes = maxRequestBytes;
        this.onClose = onClose;
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public void abandonReadBuffer() {
        readBufferAbandoned = true;
    }

    @Override
    public void run() {
        try {
            while (serveOne()) {
                // next request
            }
        } catch (ClosedChannelException e) {
            LOG.debug("Connection from {} closed", clientAddress);
        } catch (IOException e) {
            LOG.debug("Connection from {} failed: {}", clientAddress, e.toString());
        } catch (Throwable t) {
            LOG.warn("Unexpected error on the connection from {}; closing it", clientAddress, t);
        } finally {
            close();
            onClose.accept(this);
        }
    }

    /** True when idle (not serving a request) for longer than {@code idleNanos}. */
    boolean idleLongerThan(long nowNanos, long idleNanos) {
        return !serving && nowNanos - lastActiveNanos > idleNanos;
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Closing the connection from {}: {}", clientAddress, e.toString());
        }
    }

    private boolean serveOne() throws IOException {
        sizeBuffer.clear();
        if (!readFully(sizeBuffer)) {
            if (sizeBuffer.position() == 0) {
                LOG.debug("Connection from {} closed by the client", clientAddress);
            } else {
                LOG.debug("Connection from {} closed in the middle of a frame size", clientAddress);
            }
            return false;
        }
        int size = sizeBuffer.getInt(0);
        if (size < 0 || size > maxRequestBytes) {
            LOG.warn("Closing the connection from {}: request size {} is {} (socket.request.max.bytes = {})",
                    clientAddress, size, size < 0 ? "negative" : "too large", maxRequestBytes);
            return false;
        }
        ByteBuffer frame = bufferFor(size);
        if (!readFully(frame)) {
            LOG.debug("Connection from {} closed after {} of {} request bytes", clientAddress, frame.position(), size);
            return false;
        }
        frame.flip();
        serving = true;
        try {
            Reply reply = processor.process(frame, this);
            if (reply.send() != null) {
                write(reply.send());
            }
            return !reply.close();
        } finally {
            lastActiveNanos = System.nanoTime();
            serving = false;
        }
    }

    private ByteBuffer bufferFor(int size) {
        if (readBufferAbandoned) {
            readBuffer = null;
            readBufferAbandoned = false;
        }
        if (size > RETAINED_BUFFER_BYTES) {
            return ByteBuffer.allocate(size);
        }
        if (readBuffer == null || readBuffer.capacity() < size) {
            int capacity = Math.max(INITIAL_BUFFER_BYTES, Integer.highestOneBit(Math.max(1, size - 1)) << 1);
            // Direct, so socket bytes land in it without the JDK's bounce copy and appends write it as is.
            readBuffer = ByteBuffer.allocateDirect(Math.min(capacity, RETAINED_BUFFER_BYTES));
        }
        readBuffer.clear().limit(size);
        return readBuffer;
    }

    /** Reads until {@code buffer} is full; false on end of stream. */
    private boolean readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            int limit = buffer.limit();
            if (!buffer.isDirect() && limit - buffer.position() > HEAP_READ_CHUNK) {
                buffer.limit(buffer.position() + HEAP_READ_CHUNK);
            }
            int n;
            try {
                n = socket.read(buffer);
            } finally {
                buffer.limit(limit);
            }
            if (n < 0) {
                return false;
            }
            lastActiveNanos = System.nanoTime();
        }
        return true;
    }

    private void write(Send send) throws IOException {
        int idleWrites = 0;
        while (!send.completed()) {
            if (send.writeTo(out) > 0) {
                idleWrites = 0;
                lastActiveNanos = System.nanoTime();
            } else if (++idleWrites > MAX_IDLE_WRITES) {
                // A blocking socket always takes something; no progress means a record source ran dry.
                throw new IOException("response to " + clientAddress + " stopped making progress");
            }
        }
    }
}
