package io.samsa.bench.jmh;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where fetched slices are sent.
 * <ul>
 * <li>{@code socket}: a loopback TCP connection drained by a thread, as a fetch response goes
 * to a consumer. The FileChannel engine's {@code transferTo} becomes {@code sendfile}, the mmap
 * engine's a {@code write} from the mapping; either way the kernel copies every byte once into
 * the socket, which makes MB/s a delivery rate comparable between engines.</li>
 * <li>{@code devnull}: a {@code FileChannel} on {@code /dev/null}. Linux discards without
 * reading the bytes (for both {@code sendfile} and {@code write}), so this measures the
 * engine's own cost per fetch (index lookup, slice, system call), not moving data; its MB/s is
 * fetches/s times the fetch size.</li>
 * </ul>
 */
abstract class Sink implements Closeable {

    abstract WritableByteChannel channel();

    /** A sink of the given kind: {@code socket} or {@code devnull}. */
    static Sink open(String kind) throws IOException {
        switch (kind) {
            case "socket":
                return new Loopback();
            case "devnull":
                return new DevNull();
            default:
                throw new IllegalArgumentException("Unknown sink '" + kind + "': use socket or devnull");
        }
    }

    private static final class DevNull extends Sink {
        private final FileChannel channel = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);

        DevNull() throws IOException {
        }

        @Override
        WritableByteChannel channel() {
            return channel;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A blocking loopback connection; a daemon thread reads and drops everything sent. */
    static final class Loopback extends Sink {
        private final SocketChannel client;
        private final Thread drainer;
        private final AtomicLong drained = new AtomicLong();
        private volatile IOException drainFailure;

        Loopback() throws IOException {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept();
                drainer = new Thread(() -> drain(accepted), "sink-drainer");
                drainer.setDaemon(true);
                drainer.start();
            }
        }

        private void drain(SocketChannel in) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            try (in) {
                int n;
                while ((n = in.read(buffer.clear())) >= 0) {
                    drained.addAndGet(n);
                }
            } catch (IOException e) {
                drainFailure = e;
            }
        }

        @Override
        WritableByteChannel channel() {
            return client;
        }

        /** Closes the connection and returns the bytes the other end received, once it has all. */
        long closeAndCount() throws IOException {
            client.close();
            try {
                drainer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (drainFailure != null) {
                throw drainFailure;
            }
            return drained.get();
        }

        @Override
        public void close() throws IOException {
            closeAndCount();
        }
    }
}
