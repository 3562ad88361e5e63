package io.samsa.itest;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a broker that understands just enough of Kafka's framing to
 * lose the response to chosen Produce requests: the broker has appended the batch, the client
 * never hears so, its connection drops, and it must retry. That is the case idempotent producers
 * exist for.
 */
final class FaultInjectingProxy implements AutoCloseable {

    private static final short PRODUCE = 0;

    private final ServerSocket server;
    private final int targetPort;
    private final AtomicInteger produceResponsesToDrop = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    FaultInjectingProxy(int listenPort, int targetPort) throws IOException {
        this.server = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Loses the responses to the next {@code n} Produce requests. */
    void dropNextProduceResponses(int n) {
        produceResponsesToDrop.set(n);
    }

    int droppedResponses() {
        return dropped.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(broker);
                Set<Integer> doomed = ConcurrentHashMap.newKeySet();
                start(() -> pumpRequests(client, broker, doomed));
                start(() -> pumpResponses(broker, client, doomed));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fault proxy accept failed: " + e);
                }
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void pumpRequests(Socket client, Socket broker, Set<Integer> doomed) {
        try (DataInputStream in = new DataInputStream(client.getInputStream());
             DataOutputStream out = new DataOutputStream(broker.getOutputStream())) {
            while (true) {
                int size = in.readInt();
                byte[] frame = new byte[size];
                in.readFully(frame);
                short apiKey = (short) (((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
                int correlationId = ((frame[4] & 0xff) << 24) | ((frame[5] & 0xff) << 16) | ((frame[6] & 0xff) << 8)
                        | (frame[7] & 0xff);
                if (apiKey == PRODUCE && produceResponsesToDrop.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    doomed.add(correlationId);
                }
                out.writeInt(size);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(client, broker);
        }
    }

    private void pumpResponses(Socket broker, Socket client, Set<Integer> doomed) {
        try (DataInputStream in = new DataInputStream(broker.getInputStream());
             DataOutputStream out = new DataOutputStream(client.getOutputStream())) {
            while (true) {
                int size = in.readInt();
                byte[] frame = new byte[size];
                in.readFully(frame);
                int correlationId = ((frame[0] & 0xff) << 24) | ((frame[1] & 0xff) << 16) | ((frame[2] & 0xff) << 8)
                        | (frame[3] & 0xff);
                if (doomed.remove(correlationId)) {
                    dropped.incrementAndGet();
                    closeQuietly(client, broker);
                    return;
                }
                out.writeInt(size);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(client, broker);
        }
    }

    private void closeQuietly(Socket... ss) {
        for (Socket s : ss) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed by the other pump
            }
            sockets.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        sockets.forEach(this::closeQuietly);
    }
}
