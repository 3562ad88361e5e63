package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;

import io.samsa.protocol.kafka.network.ListenerAddress;
import io.samsa.protocol.kafka.testkit.TestBroker;

/** Start-up: the ready line, listener parsing, and refusing what cannot be served. */
public class ServerLifecycleTest {

    @Test
    public void printsTheStartedLineOnceListening() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        TestBroker broker;
        try {
            broker = new TestBroker();
        } finally {
            System.setOut(original);
        }
        try (broker; Socket socket = new Socket()) {
            assertTrue(captured.toString(StandardCharsets.UTF_8).lines()
                    .anyMatch(l -> l.equals("[KafkaServer id=0] started")));
            socket.connect(broker.address(), 2000);
            assertTrue(socket.isConnected());
        }
    }

    @Test
    public void stopClosesListenerAndConnections() throws Exception {
        TestBroker broker = new TestBroker();
        InetSocketAddress address = broker.address();
        try (Socket socket = new Socket()) {
            socket.connect(address, 2000);
            broker.close();
            socket.setSoTimeout(5000);
            try {
                assertEquals("closed by the server", -1, socket.getInputStream().read());
            } catch (java.net.SocketException reset) {
                // closed with a reset: closed as well
            }
        }
        try (Socket late = new Socket()) {
            late.connect(address, 2000);
            fail("still listening");
        } catch (IOException expected) {
            // refused
        }
    }

    @Test
    public void parsesListeners() {
        assertEquals(List.of(new ListenerAddress("PLAINTEXT", "127.0.0.1", 9092), new ListenerAddress("PLAINTEXT", "", 0)),
                ListenerAddress.parseList("PLAINTEXT://127.0.0.1:9092, plaintext://:0"));
        assertTrue(ListenerAddress.parse("PLAINTEXT://:9092").socketAddress().getAddress().isAnyLocalAddress());
        assertEquals("::1", ListenerAddress.parse("PLAINTEXT://[::1]:9093").host());
        for (String bad : List.of("SSL://127.0.0.1:9093", "127.0.0.1:9092", "PLAINTEXT://host:port",
                "PLAINTEXT://host:70000", "")) {
            try {
                ListenerAddress.parseList(bad);
                fail("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("listener")
                        || expected.getMessage().contains("listeners"));
            }
        }
    }

    @Test
    public void portInUseFailsActivationNamingTheListener() throws Exception {
        try (TestBroker first = new TestBroker()) {
            String listener = "PLAINTEXT://127.0.0.1:" + first.port();
            try {
                new KafkaListeners(TestBroker.listenersConfig(listener));
                fail("bound a port in use");
            } catch (IOException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains(listener));
            }
        }
    }
}
