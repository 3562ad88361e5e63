package io.samsa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionLoadTest {
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final List<Short> apiKeys = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    /**
     * Answers every request frame with a frame carrying its correlation id; fetches after a short
     * wait, like a long poll of an empty partition.
     */
    private int answeringServer() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    Thread t = new Thread(() -> answer(s));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return server.getLocalPort();
    }

    private void answer(Socket s) {
        try (DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                ByteBuffer b = ByteBuffer.wrap(frame);
                short key = b.getShort();
                apiKeys.add(key);
                b.getShort();
                int correlation = b.getInt();
                if (key == 1) {
                    Thread.sleep(50);
                }
                out.writeInt(12);
                out.writeInt(correlation);
                out.writeLong(0);
                out.flush();
            }
        } catch (IOException | InterruptedException gone) {
            // the client or the test closed the connection
        }
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
        for (Socket s : accepted) {
            s.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            BrokerUnderTest.pause(20);
        }
    }

    @Test
    void holdsIdleConnectionsAndKeepsLongPollsGoing() throws Exception {
        int port = answeringServer();
        try (ConnectionLoad load = new ConnectionLoad(port, 300, 20, "bench-idle", 3)) {
            await(load::allHeld, "every connection answered");
            assertEquals(300, load.idleHeld());
            assertEquals(20, load.pollsHeld());
            long before = load.fetchResponses();
            await(() -> load.fetchResponses() >= before + 100, "long polls to be re-sent after each answer");
            assertEquals(300, apiKeys.stream().filter(k -> k == 18).count(), "one ApiVersions per idle connection");
            assertEquals(0, load.connectFailures());

            // the broker dropping connections shows up as connections no longer held
            for (Socket s : accepted.subList(0, 10)) {
                s.close();
            }
            await(() -> load.closedByBroker() == 10, "the dropped connections to be noticed");
            assertEquals(310, load.idleHeld() + load.pollsHeld());
        }
    }

    @Test
    void aBrokerThatIsNotThereIsCountedNotRetried() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        try (ConnectionLoad load = new ConnectionLoad(port, 50, 5, "bench-idle", 1)) {
            await(() -> load.connectFailures() == 55, "every connect to fail");
            assertEquals(0, load.idleHeld() + load.pollsHeld());
            assertTrue(load.lastError().contains("Connection refused"), load.lastError());
        }
    }

    @Test
    void requestsAreWellFormedFrames() {
        ByteBuffer v = ConnectionLoad.apiVersionsV0();
        assertEquals(v.remaining() - 4, v.getInt(0));
        assertEquals(18, v.getShort(4));
        ByteBuffer f = ConnectionLoad.fetchV4("bench-idle", 2);
        assertEquals(f.remaining() - 4, f.getInt(0));
        assertEquals(1, f.getShort(4));
        assertEquals(4, f.getShort(6));
        // the last fields: partition 2, fetch offset 0, 1 MiB
        assertEquals(2, f.getInt(f.limit() - 16));
        assertEquals(1024 * 1024, f.getInt(f.limit() - 4));
    }
}
