package io.samsa.coordination.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 in front of a ZooKeeper server that can stop passing bytes without
 * closing anything: to the server the client falls silent, as a stopped process does, and to the
 * client the server does.
 */
final class FreezableProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;
    private volatile boolean closed;

    /** A proxy to {@code hostPort} ("127.0.0.1:2181"). */
    FreezableProxy(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        target = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "freezable-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    void freeze() {
        frozen = true;
    }

    void thaw() {
        frozen = false;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                pump(client.getInputStream(), server.getOutputStream(), client, server);
                pump(server.getInputStream(), client.getOutputStream(), server, client);
            } catch (IOException e) {
                if (!closed) {
                    continue; // the server refused one connection; keep serving the next
                }
                return;
            }
        }
    }

    private void pump(InputStream in, OutputStream out, Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                while (true) {
                    awaitThaw();
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    awaitThaw(); // what was read while frozen is held back until thawed
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "freezable-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void awaitThaw() throws InterruptedException {
        while (frozen && !closed) {
            Thread.sleep(10);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        sockets.forEach(FreezableProxy::closeQuietly);
    }
}
