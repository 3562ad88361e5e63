package io.samsa.coordination.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;
import io.samsa.api.coordination.Watch;

public class ZooKeeperCoordinatorTest extends EmbeddedServerTestBase {

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static String text(Optional<Versioned> v) {
        return new String(v.orElseThrow().value(), UTF_8);
    }

    @Test
    public void compareAndSetCreatesOnlyWhenAbsentWithParents() {
        Coordinator c = coordinator();
        assertEquals(0, c.compareAndSet("/a/b/c", bytes("one"), Coordinator.ABSENT));
        assertEquals("one", text(c.read("/a/b/c")));
        assertEquals(0, c.read("/a/b/c").orElseThrow().version());
        assertEquals(List.of("b"), c.children("/a"));

        assertEquals(-1, c.compareAndSet("/a/b/c", bytes("two"), Coordinator.ABSENT));
        assertEquals("one", text(c.read("/a/b/c")));
        assertEquals(Optional.empty(), c.read("/a/b/missing"));
    }

    @Test
    public void compareAndSetBumpsVersionAndRejectsStaleVersions() {
        Coordinator c = coordinator();
        c.compareAndSet("/v", bytes("v0"), Coordinator.ABSENT);
        assertEquals(1, c.compareAndSet("/v", bytes("v1"), 0));
        assertEquals(2, c.compareAndSet("/v", bytes("v2"), 1));
        assertEquals(-1, c.compareAndSet("/v", bytes("stale"), 1));
        Versioned now = c.read("/v").orElseThrow();
        assertArrayEquals(bytes("v2"), now.value());
        assertEquals(2, now.version());

        assertEquals("a version on a missing path is a failed condition", -1,
                c.compareAndSet("/nope", bytes("x"), 0));
        assertEquals(Optional.empty(), c.read("/nope"));
        assertThrows(IllegalArgumentException.class, () -> c.compareAndSet("/v", bytes("x"), Coordinator.ANY_VERSION));
    }

    @Test
    public void childrenAreSortedNamesAndEmptyForMissingPaths() {
        Coordinator c = coordinator();
        for (String name : List.of("b", "c", "a")) {
            c.compareAndSet("/p/" + name, new byte[0], Coordinator.ABSENT);
        }
        c.compareAndSet("/p/a/deeper", new byte[0], Coordinator.ABSENT);
        assertEquals(List.of("a", "b", "c"), c.children("/p"));
        assertEquals(List.of(), c.children("/p/b"));
        assertEquals(List.of(), c.children("/missing"));
    }

    @Test
    public void deleteRemovesWholeSubtreeOnlyAtTheExpectedVersion() {
        Coordinator c = coordinator();
        c.compareAndSet("/t/x/y", bytes("y"), Coordinator.ABSENT);
        c.compareAndSet("/t/z", bytes("z"), Coordinator.ABSENT);
        c.compareAndSet("/t", bytes("t1"), 0); // /t is now at version 1

        assertFalse("wrong version", c.delete("/t", 0));
        assertEquals(List.of("x", "z"), c.children("/t"));
        assertEquals("y", text(c.read("/t/x/y")));

        assertTrue(c.delete("/t", 1));
        assertEquals(Optional.empty(), c.read("/t"));
        assertEquals(Optional.empty(), c.read("/t/x/y"));
        assertFalse("already gone", c.delete("/t", Coordinator.ANY_VERSION));

        c.compareAndSet("/leaf", bytes("l"), Coordinator.ABSENT);
        assertTrue(c.delete("/leaf", Coordinator.ANY_VERSION));
        assertEquals(Optional.empty(), c.read("/leaf"));
    }

    @Test
    public void watchFiresOnRegistrationDataChildrenAndDeletion() {
        Coordinator c = coordinator();
        Coordinator writer = coordinator();
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        // the listener calls back into the coordinator, which must not deadlock
        Watch watch = c.watch("/w", () -> {
            seen.add(c.read("/w").map(v -> new String(v.value(), UTF_8)).orElse("<absent>") + " " + c.children("/w"));
            calls.incrementAndGet();
        });
        await("the initial call", () -> calls.get() >= 1);
        assertEquals("<absent> []", seen.get(0));

        expectCall(calls, seen, "a []", () -> writer.compareAndSet("/w", bytes("a"), Coordinator.ABSENT));
        expectCall(calls, seen, "b []", () -> writer.compareAndSet("/w", bytes("b"), 0));
        expectCall(calls, seen, "b [kid]", () -> writer.compareAndSet("/w/kid", bytes("k"), Coordinator.ABSENT));
        expectCall(calls, seen, "b []", () -> writer.delete("/w/kid", Coordinator.ANY_VERSION));
        expectCall(calls, seen, "<absent> []", () -> writer.delete("/w", Coordinator.ANY_VERSION));

        watch.close();
        AtomicInteger other = new AtomicInteger();
        try (Watch second = c.watch("/w", other::incrementAndGet)) {
            await("second watch's initial call", () -> other.get() >= 1);
            int before = calls.get();
            for (int i = 0; i < 2; i++) {
                int o = other.get();
                writer.compareAndSet("/w", bytes("again" + i), i == 0 ? Coordinator.ABSENT : 0);
                await("second watch sees the change", () -> other.get() > o);
            }
            assertEquals("a closed watch stays silent", before, calls.get());
        }
    }

    /** Makes a change, then waits for a listener call that saw the state it led to. */
    private static void expectCall(AtomicInteger calls, List<String> seen, String state, Runnable change) {
        int before = calls.get();
        change.run();
        await("the watch fires and sees " + state,
                () -> calls.get() > before && seen.get(seen.size() - 1).equals(state));
    }

    @Test
    public void chrootIsCreatedAndHoldsTheTree() {
        Coordinator rooted = coordinator(server.connectString() + chroot + "/nested/deeper");
        assertEquals(0, rooted.compareAndSet("/k", bytes("in chroot"), Coordinator.ABSENT));
        assertEquals(List.of("cluster", "k"), rooted.children("/"));

        Coordinator whole = coordinator(server.connectString());
        assertEquals("in chroot", text(whole.read(chroot + "/nested/deeper/k")));
        assertTrue("cluster id lives inside the chroot",
                whole.read(chroot + "/nested/deeper/cluster/id").isPresent());
    }

    @Test
    public void connectingWhereNothingListensFailsNamingTheConnectString() throws IOException {
        String connect = "127.0.0.1:" + freePort();
        long start = System.nanoTime();
        CoordinationException e = assertThrows(CoordinationException.class, () -> new ZooKeeperCoordinator(
                ZooKeeperCoordinator.Settings.external(connect, SESSION_TIMEOUT_MS, 1000)));
        assertTrue(e.getMessage(), e.getMessage().contains(connect));
        assertTrue(e.getMessage(), e.getMessage().contains("1000 ms"));
        assertTrue("gave up in time", System.nanoTime() - start < 5_000_000_000L);
    }

    @Test
    public void emptyConnectStartsAnEmbeddedServerAndCloseReleasesItsPort() throws IOException {
        int port = freePort();
        ZooKeeperCoordinator.Config config = config(Map.of(
                "zookeeper_embedded_port", port,
                "zookeeper_embedded_dir", TMP.newFolder("embedded").getPath(),
                "zookeeper_connection_timeout_ms", 5000));
        ZooKeeperCoordinator c = new ZooKeeperCoordinator(config);
        try {
            assertEquals("zookeeper", c.type());
            assertEquals(0, c.compareAndSet("/e", bytes("embedded"), Coordinator.ABSENT));
            Coordinator viaPort = coordinator("127.0.0.1:" + port);
            assertEquals("embedded", text(viaPort.read("/e")));
            assertEquals(c.clusterId(), viaPort.clusterId());
        } finally {
            c.close();
        }
        try (ServerSocket rebound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, rebound.getLocalPort());
        }
        assertThrows(CoordinationException.class, () -> c.read("/e"));
    }

    /** A Config as DS would build it: given values, annotation defaults for the rest. */
    private static ZooKeeperCoordinator.Config config(Map<String, Object> values) {
        return (ZooKeeperCoordinator.Config) Proxy.newProxyInstance(ZooKeeperCoordinator.Config.class.getClassLoader(),
                new Class<?>[] { ZooKeeperCoordinator.Config.class }, (proxy, method, args) -> {
                    Object value = values.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }
}
