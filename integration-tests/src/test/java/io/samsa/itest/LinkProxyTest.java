package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Test;

import io.samsa.itest.LinkProxy.Direction;
import io.samsa.itest.LinkProxy.Framing;
import io.samsa.itest.LinkProxy.Mode;
import io.samsa.testsupport.Poll;

/** The proxy's modes, switched while connections are open, over plain loopback sockets. */
public class LinkProxyTest {

    private static final int SHORT_MS = 300;
    private static final int LONG_MS = 10_000;

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    @After
    public void closeAll() throws Exception {
        for (AutoCloseable c : resources) {
            c.close();
        }
    }

    /** A server that runs {@code handler} for each connection, on its own thread. */
    private interface Handler {
        void serve(Socket s) throws IOException;
    }

    private int server(Handler handler) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        resources.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    resources.add(s);
                    Thread c = new Thread(() -> {
                        try {
                            handler.serve(s);
                        } catch (IOException ignored) {
                            // the test closed or reset the connection
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private int echoServer() throws IOException {
        return server(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        });
    }

    private LinkProxy proxy(int target, Framing framing) throws IOException {
        LinkProxy p = new LinkProxy(0, target, framing);
        resources.add(p);
        return p;
    }

    private Socket connect(LinkProxy p) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), p.port());
        resources.add(s);
        s.setSoTimeout(LONG_MS);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static String receive(Socket s, int length) throws IOException {
        byte[] b = new byte[length];
        new DataInputStream(s.getInputStream()).readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Fails unless {@code SHORT_MS} pass with nothing to read on {@code s}. */
    private static void assertNothingArrives(Socket s, String why) throws IOException {
        s.setSoTimeout(SHORT_MS);
        try {
            assertThrows(why, SocketTimeoutException.class, () -> s.getInputStream().read());
        } finally {
            s.setSoTimeout(LONG_MS);
        }
    }

    /** True when the connection ends (EOF or reset) before {@code LONG_MS}. */
    private static boolean ends(Socket s) {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    @Test
    public void passForwardsBothWays() throws Exception {
        LinkProxy p = proxy(echoServer(), Framing.RAW);
        Socket s = connect(p);
        send(s, "hello");
        assertEquals("hello", receive(s, 5));
        assertEquals(1, p.acceptedConnections());
        assertEquals(Mode.PASS, p.mode(Direction.TO_TARGET));
    }

    @Test
    public void blackholeKeepsTheConnectionOpenAndDeliversOnHeal() throws Exception {
        LinkProxy p = proxy(echoServer(), Framing.RAW);
        Socket s = connect(p);
        send(s, "before");
        assertEquals("before", receive(s, 6));

        p.mode(Mode.BLACKHOLE);
        send(s, "during");
        assertNothingArrives(s, "nothing crosses a blackhole");
        assertFalse("the socket stays open", s.isClosed());
        assertEquals("the proxied connection stays open", 1, p.openConnections());

        p.mode(Mode.PASS);
        assertEquals("held bytes arrive in order once healed", "during", receive(s, 6));
    }

    @Test
    public void blackholeOneDirectionOnly() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        int target = server(s -> {
            byte[] b = new byte[4];
            new DataInputStream(s.getInputStream()).readFully(b);
            received.add(new String(b, StandardCharsets.UTF_8));
            s.getOutputStream().write("pong".getBytes(StandardCharsets.UTF_8));
        });
        LinkProxy p = proxy(target, Framing.RAW);
        p.mode(Direction.FROM_TARGET, Mode.BLACKHOLE);
        Socket s = connect(p);
        send(s, "ping");
        Poll.until("the request crosses the open direction", () -> received.contains("ping"));
        assertNothingArrives(s, "the answer is held");
        p.mode(Direction.FROM_TARGET, Mode.PASS);
        assertEquals("pong", receive(s, 4));
    }

    @Test
    public void resetEndsOpenConnectionsAndRefusesNewOnesUntilHealed() throws Exception {
        LinkProxy p = proxy(echoServer(), Framing.RAW);
        Socket open = connect(p);
        send(open, "x");
        assertEquals("x", receive(open, 1));

        p.mode(Mode.RESET);
        assertTrue("the open connection is reset", ends(open));
        Poll.until("the proxy forgets the reset connection", () -> p.openConnections() == 0);
        Socket during = connect(p);
        assertTrue("a new connection is reset", ends(during));

        p.mode(Mode.PASS);
        Socket after = connect(p);
        send(after, "y");
        assertEquals("y", receive(after, 1));
    }

    @Test
    public void delayAddsLatencyInEachDelayedDirection() throws Exception {
        LinkProxy p = proxy(echoServer(), Framing.RAW);
        Socket s = connect(p);
        p.mode(Mode.delay(200));
        long start = System.nanoTime();
        send(s, "slow");
        assertEquals("slow", receive(s, 4));
        long roundTripMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue("round trip " + roundTripMs + " ms through two 200 ms delays", roundTripMs >= 400);

        p.mode(Direction.FROM_TARGET, Mode.PASS);
        start = System.nanoTime();
        send(s, "half");
        assertEquals("half", receive(s, 4));
        roundTripMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue("round trip " + roundTripMs + " ms through one 200 ms delay", roundTripMs >= 200);
        assertEquals("DELAY(200 ms)", p.mode(Direction.TO_TARGET).toString());
    }

    @Test
    public void delayIsLatencyNotARateLimit() throws Exception {
        LinkProxy p = proxy(echoServer(), Framing.RAW);
        Socket s = connect(p);
        p.mode(Direction.TO_TARGET, Mode.delay(300));
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            send(s, Integer.toString(i));
        }
        assertEquals("0123456789", receive(s, 10));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue("ten writes took " + ms + " ms: each is delayed 300 ms, not one after another", ms < 2500);
    }

    @Test
    public void targetDownEndsTheClientConnection() throws Exception {
        int nothingListens = SamsaOsgiTestSupport.freePort();
        LinkProxy p = proxy(nothingListens, Framing.RAW);
        Socket s = connect(p);
        assertTrue(ends(s));
    }

    // -- Kafka framing ---------------------------------------------------------------------

    private static final short PRODUCE = 0;
    private static final short METADATA = 3;

    /** A server speaking Kafka's framing: answers each request with its correlation id and payload. */
    private int kafkaLikeServer(List<Integer> requestsSeen) throws IOException {
        return server(s -> {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                ByteBuffer b = ByteBuffer.wrap(frame);
                b.getShort(); // api key
                b.getShort(); // api version
                int correlationId = b.getInt();
                requestsSeen.add(correlationId);
                out.writeInt(4 + 1);
                out.writeInt(correlationId);
                out.writeByte(7);
                out.flush();
            }
        });
    }

    private static void request(Socket s, short apiKey, int correlationId) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(8 + 3);
        out.writeShort(apiKey);
        out.writeShort(9);
        out.writeInt(correlationId);
        out.write(new byte[] {1, 2, 3});
        out.flush();
    }

    private static int response(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        assertEquals("the payload follows the correlation id", 7, frame[4]);
        return ByteBuffer.wrap(frame).getInt();
    }

    @Test
    public void kafkaFramingLosesOnlyTheChosenProduceResponses() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        LinkProxy p = proxy(kafkaLikeServer(seen), Framing.KAFKA);
        Socket s = connect(p);
        request(s, METADATA, 1);
        assertEquals(1, response(s));

        p.dropNextProduceResponses(1);
        request(s, PRODUCE, 2);
        assertTrue("the connection ends instead of answering", ends(s));
        assertTrue("the broker did get the request", seen.contains(2));
        assertEquals(1, p.droppedResponses());

        Socket retry = connect(p);
        request(retry, PRODUCE, 3);
        assertEquals("only the next one was lost", 3, response(retry));
        assertEquals(1, p.droppedResponses());
    }

    @Test
    public void kafkaFramingHonoursModesToo() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        LinkProxy p = proxy(kafkaLikeServer(seen), Framing.KAFKA);
        Socket s = connect(p);
        p.mode(Mode.BLACKHOLE);
        request(s, METADATA, 5);
        assertNothingArrives(s, "no response crosses a blackhole");
        assertTrue("the request was held too", seen.isEmpty());
        p.mode(Mode.PASS);
        assertEquals(5, response(s));
    }

    @Test
    public void refusesBadInput() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Mode.delay(-1));
        assertThrows(IllegalArgumentException.class, () -> new LinkProxy(0, 0, Framing.RAW));
        LinkProxy raw = proxy(echoServer(), Framing.RAW);
        assertThrows(IllegalArgumentException.class, () -> raw.mode((Mode) null));
        IllegalStateException notKafka = assertThrows(IllegalStateException.class,
                () -> raw.dropNextProduceResponses(1));
        assertTrue(notKafka.getMessage(), notKafka.getMessage().contains("KAFKA"));
    }
}
