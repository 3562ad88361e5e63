package io.samsa.protocol.kafka.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

import org.apache.kafka.common.network.TransferableChannel;

/**
 * Lets Kafka's {@code Send} objects write to a blocking socket. File regions go through
 * {@link FileChannel#transferTo} straight to the socket so the kernel copies them (sendfile).
 */
public final class SocketTransferChannel implements TransferableChannel {

    private final SocketChannel socket;

    public SocketTransferChannel(SocketChannel socket) {
        this.socket = socket;
    }

    /**
     * The socket itself: record sources hand it to {@code FileChannel.transferTo}, which only
     * takes the zero-copy path for the JDK's own channel types.
     */
    public SocketChannel socket() {
        return socket;
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
        return fileChannel.transferTo(position, count, socket);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return socket.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return socket.write(srcs);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return socket.write(src);
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
