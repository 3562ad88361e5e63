package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.Test;

import io.samsa.protocol.kafka.testkit.LogCapture;
import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.TestBroker;
import io.samsa.testsupport.Poll;

/** max.connections, max.connections.per.ip (and overrides), connections.max.idle.ms; each close is logged with why. */
public class ConnectionLimitsTest {

    static final long DEADLINE_MS = 20_000;

    @Test
    public void aConnectionOverMaxConnectionsIsClosedWithAWarningNamingClientAndLimit() throws Exception {
        List<RawClient> open = new ArrayList<>();
        try (LogCapture log = new LogCapture(); TestBroker broker = new TestBroker(Map.of("max.connections", 3))) {
            for (int i = 0; i < 3; i++) {
                open.add(served(new RawClient(broker.address())));
            }
            try (RawClient extra = new RawClient(broker.address())) {
                assertTrue("closed at once", extra.closedByServer(10_000));
                Poll.until("a warning naming the client and max.connections",
                        () -> !log.linesWith("WARN", extra.localAddress(), "max.connections = 3").isEmpty());
            }
            open.remove(0).close();
            Poll.until("the slot is given back", () -> broker.server.socketServer().connectionCount() == 2);
            try (RawClient again = served(new RawClient(broker.address()))) {
                for (RawClient client : open) {
                    served(client);
                }
            }
        } finally {
            closeAll(open);
        }
    }

    @Test
    public void aConnectionOverMaxConnectionsPerIpIsClosedAndOverridesRaiseTheLimit() throws Exception {
        List<RawClient> open = new ArrayList<>();
        try (LogCapture log = new LogCapture();
                TestBroker perIp = new TestBroker(Map.of("max.connections.per.ip", 2))) {
            open.add(served(new RawClient(perIp.address())));
            open.add(served(new RawClient(perIp.address())));
            try (RawClient extra = new RawClient(perIp.address())) {
                assertTrue(extra.closedByServer(10_000));
                Poll.until("a warning naming the client and max.connections.per.ip", () -> !log.linesWith("WARN",
                        extra.localAddress(), "127.0.0.1", "max.connections.per.ip = 2").isEmpty());
            }
            closeAll(open);
            try (TestBroker overridden = new TestBroker(Map.of("max.connections.per.ip", 1,
                    "max.connections.per.ip.overrides", "127.0.0.1:3"))) {
                for (int i = 0; i < 3; i++) {
                    open.add(served(new RawClient(overridden.address())));
                }
                try (RawClient extra = new RawClient(overridden.address())) {
                    assertTrue(extra.closedByServer(10_000));
                    Poll.until("the override is named", () -> !log.linesWith("WARN", extra.localAddress(),
                            "max.connections.per.ip.overrides = 3").isEmpty());
                }
            }
        } finally {
            closeAll(open);
        }
    }

    @Test
    public void idleConnectionsAndHalfFramesAreClosedByTheIdleTimeoutWhileOthersAreServed() throws Exception {
        try (LogCapture log = new LogCapture();
                TestBroker broker = new TestBroker(Map.of("connections.max.idle.ms", 400L));
                RawClient idle = served(new RawClient(broker.address()));
                RawClient halfFrame = new RawClient(broker.address())) {
            // A size prefix announcing 100 bytes, and only 10 of them.
            halfFrame.sendRaw(ByteBuffer.allocate(14).putInt(100).put(new byte[10]).array());
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            boolean idleClosed = false;
            boolean halfClosed = false;
            while (!(idleClosed && halfClosed) && System.currentTimeMillis() < deadline) {
                // A fresh, busy client is served all along.
                try (RawClient busy = new RawClient(broker.address())) {
                    served(busy);
                }
                idleClosed = idleClosed || idle.closedByServer(50);
                halfClosed = halfClosed || halfFrame.closedByServer(50);
            }
            assertTrue("idle connection closed", idleClosed);
            assertTrue("half frame closed", halfClosed);
            for (RawClient closed : List.of(idle, halfFrame)) {
                Poll.until("the idle close is logged with the limit", () -> !log.linesWith(closed.localAddress(),
                        "idle for more than 400 ms", "connections.max.idle.ms").isEmpty());
            }
        }
    }

    @Test
    public void connectionsWithoutIdleTimeoutStayOpen() throws Exception {
        try (TestBroker broker = new TestBroker(Map.of("connections.max.idle.ms", 0L));
                RawClient client = served(new RawClient(broker.address()))) {
            assertFalse(client.closedByServer(500));
            served(client);
        }
    }

    static RawClient served(RawClient client) throws Exception {
        ApiVersionsResponseData versions = (ApiVersionsResponseData) client.call(ApiKeys.API_VERSIONS, (short) 3,
                new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
        assertEquals(Errors.NONE.code(), versions.errorCode());
        return client;
    }

    static void closeAll(List<? extends AutoCloseable> closeables) throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        closeables.clear();
    }
}
