package io.samsa.protocol.kafka.network;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.network.Send;

/**
 * One client connection on a non-blocking socket, driven by the {@link Processor} that owns it:
 * it reads one frame, is muted while that request is served, writes the reply (across as many
 * writable events as it takes), and only then reads the next frame. Serving one request at a
 * time keeps replies in request order and bounds what a client can make the broker hold.
 */
final class Connection implements ClientChannel {

    /**
     * Frames up to this size (ApiVersions, Metadata, Fetch, Heartbeat, small produces) are read
     * into a heap buffer of their own size, as Kafka reads every request: a connection that only
     * sends such requests, or sent one and went quiet, then pins no direct memory. Ten thousand
     * idle clients holding a 64 KiB direct buffer each would cost the broker 640 MB.
     */
    static final int SMALL_FRAME_BYTES = 4 * 1024;
    static final int INITIAL_BUFFER_BYTES = 64 * 1024;
    /** Larger frames get a buffer of their own, so one big request does not pin memory forever. */
    static final int RETAINED_BUFFER_BYTES = 1024 * 1024;
    /** Bounds the JDK's per-thread temporary direct buffer when reading into a heap buffer. */
    private static final int HEAP_READ_CHUNK = 256 * 1024;
    /** Writable events in a row that moved nothing: a record source that ran dry, not a slow client. */
    private static final int MAX_STALLED_WRITES = 16;

    /** Thrown for a frame size the broker refuses; the message says why. */
    static final class InvalidFrameException extends IOException {
        InvalidFrameException(String message) {
            super(message);
        }
    }

    final SocketChannel socket;
    final InetAddress address;
    private final String clientAddress;
    private final SocketTransferChannel out;
    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);
    /** The reply of the request in flight, set by whichever thread completes it. */
    private final AtomicReference<Reply> completedReply = new AtomicReference<>();
    final RequestTimes times = new RequestTimes();
    private volatile Processor owner;
    private volatile boolean readBufferAbandoned;
    private ByteBuffer readBuffer;
    private ByteBuffer frame;
    /** A complete request the handler queue had no room for yet. */
    ByteBuffer pendingRequest;
    private boolean inFlight;
    private Send sending;
    private boolean closeAfterSend;
    private int stalledWrites;
    long lastActiveNanos = System.nanoTime();
    SelectionKey key;
    volatile boolean closed;

    Connection(SocketChannel socket, InetAddress address, String clientAddress, Processor owner) {
        this.socket = socket;
        this.address = address;
        this.clientAddress = clientAddress;
        this.out = new SocketTransferChannel(socket);
        this.owner = owner;
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public RequestTimes times() {
        return times;
    }

    @Override
    public void abandonReadBuffer() {
        readBufferAbandoned = true;
    }

    Processor owner() {
        return owner;
    }

    /** Called by the old owner while it still holds the connection, before handing it over. */
    void moveTo(Processor next) {
        owner = next;
    }

    /** From any thread: the request in flight is answered; the owner picks the reply up. */
    void complete(Reply reply) {
        completedReply.set(reply);
        owner.replyReady(this);
    }

    Reply takeReply() {
        return completedReply.getAndSet(null);
    }

    boolean inFlight() {
        return inFlight;
    }

    boolean sending() {
        return sending != null;
    }

    /** The interest a selector should have in this connection in its current state. */
    int interestOps() {
        if (sending != null) {
            return SelectionKey.OP_WRITE;
        }
        return inFlight ? 0 : SelectionKey.OP_READ;
    }

    void updateInterest() {
        if (key != null && key.isValid()) {
            key.interestOps(interestOps());
        }
    }

    /** True when idle (no request in flight, no bytes either way) for longer than {@code idleNanos}. */
    boolean idleLongerThan(long nowNanos, long idleNanos) {
        return !inFlight && nowNanos - lastActiveNanos > idleNanos;
    }

    /**
     * Reads what the socket has; once a whole frame is in, returns it and mutes the connection.
     *
     * @return the frame (header and body, position 0), or null while it is incomplete
     * @throws EOFException          when the client closed, with where in a frame it did
     * @throws InvalidFrameException when the size prefix is refused
     */
    ByteBuffer read(int maxRequestBytes) throws IOException {
        if (frame == null) {
            if (fill(sizeBuffer) < 0) {
                throw new EOFException(sizeBuffer.position() == 0 ? "closed by the client"
                        : "closed by the client in the middle of a frame size");
            }
            if (sizeBuffer.hasRemaining()) {
                return null;
            }
            int size = sizeBuffer.getInt(0);
            if (size < 0 || size > maxRequestBytes) {
                throw new InvalidFrameException("request size " + size + " is " + (size < 0 ? "negative" : "too large")
                        + " (socket.request.max.bytes = " + maxRequestBytes + ")");
            }
            frame = bufferFor(size);
        }
        if (fill(frame) < 0) {
            throw new EOFException("closed by the client after " + frame.position() + " of " + frame.limit()
                    + " request bytes");
        }
        if (frame.hasRemaining()) {
            return null;
        }
        ByteBuffer complete = frame.flip();
        frame = null;
        sizeBuffer.clear();
        inFlight = true;
        return complete;
    }

    /** Starts writing a reply; true when it went out whole at once. */
    boolean startSend(Send send, boolean close) throws IOException {
        sending = send;
        closeAfterSend = close;
        stalledWrites = 0;
        return write();
    }

    /**
     * Writes what the socket takes of the reply being sent.
     *
     * @return true when the reply is completely written
     */
    boolean write() throws IOException {
        long written = sending.writeTo(out);
        if (written > 0) {
            stalledWrites = 0;
            lastActiveNanos = System.nanoTime();
        } else if (++stalledWrites > MAX_STALLED_WRITES) {
            throw new IOException("the response stopped making progress");
        }
        if (!sending.completed()) {
            return false;
        }
        sending = null;
        return true;
    }

    /** The request is fully answered: read the next one, unless the reply asked to close. */
    boolean finishRequest(boolean close) {
        inFlight = false;
        lastActiveNanos = System.nanoTime();
        return !(close || closeAfterSend);
    }

    private ByteBuffer bufferFor(int size) {
        if (readBufferAbandoned) {
            readBuffer = null;
            readBufferAbandoned = false;
        }
        if (size <= SMALL_FRAME_BYTES || size > RETAINED_BUFFER_BYTES) {
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

    /** Reads until the buffer is full or the socket has nothing more; -1 at end of stream. */
    private int fill(ByteBuffer buffer) throws IOException {
        int total = 0;
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
                return -1;
            }
            if (n == 0) {
                break;
            }
            total += n;
            lastActiveNanos = System.nanoTime();
        }
        return total;
    }
}
