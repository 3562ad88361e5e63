package io.samsa.coordination.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.apache.zookeeper.ZooKeeper;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.testsupport.Poll;

/**
 * What is ZooKeeper's own beyond the Coordinator contract (ZooKeeperCoordinatorContractTest):
 * chroots, connection failures, and the embedded server living apart from the coordinator.
 */
public class ZooKeeperCoordinatorTest extends EmbeddedServerTestBase {

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    public void chrootIsCreatedAndHoldsTheTree() {
        Coordinator rooted = coordinator(ZOOKEEPER.connectString() + chroot + "/nested/deeper");
        assertEquals(0, rooted.compareAndSet("/k", bytes("in chroot"), Coordinator.ABSENT));
        assertEquals(List.of("cluster", "k"), rooted.children("/"));

        Coordinator whole = coordinator(ZOOKEEPER.connectString());
        assertEquals("in chroot", new String(whole.read(chroot + "/nested/deeper/k").orElseThrow().value(), UTF_8));
        assertTrue("cluster id lives inside the chroot", whole.read(chroot + "/nested/deeper/cluster/id").isPresent());
    }

    @Test
    public void connectingWhereNothingListensFailsNamingTheConnectString() throws IOException {
        String connect = "127.0.0.1:" + freePort();
        long start = System.nanoTime();
        CoordinationException e = assertThrows(CoordinationException.class, () -> new ZooKeeperCoordinator(
                new ZooKeeperCoordinator.Settings(connect, SESSION_TIMEOUT_MS, 1000)));
        assertTrue(e.getMessage(), e.getMessage().contains(connect));
        assertTrue(e.getMessage(), e.getMessage().contains("1000 ms"));
        assertTrue("gave up in time", System.nanoTime() - start < 5_000_000_000L);
    }

    @Test
    public void anEmptyConnectWithoutAnEmbeddedServerIsAClearError() {
        CoordinationException e = assertThrows(CoordinationException.class,
                () -> new ZooKeeperCoordinator(coordinatorConfig(Map.of()), null));
        assertTrue(e.getMessage(), e.getMessage().contains(EmbeddedZooKeeperComponent.PID));
    }

    @Test
    public void theEmbeddedComponentRunsAServerOnlyWhileZookeeperConnectIsEmpty() throws IOException {
        List<Dictionary<String, ?>> registered = new ArrayList<>();
        BundleContext context = bundleContext(registered);
        EmbeddedZooKeeperComponent idle = new EmbeddedZooKeeperComponent(context,
                embeddedConfig(Map.of("zookeeper_connect", ZOOKEEPER.connectString())));
        assertNull(idle.server());
        assertEquals(List.of(), registered);
        idle.close();

        int port = freePort();
        EmbeddedZooKeeperComponent running = new EmbeddedZooKeeperComponent(context, embeddedConfig(Map.of(
                "zookeeper_embedded_port", port, "zookeeper_embedded_dir", ZOOKEEPER.newFolder("embedded").getPath())));
        try {
            assertEquals("127.0.0.1:" + port, registered.get(0).get(EmbeddedZooKeeperComponent.CONNECT_PROPERTY));
            ZooKeeperCoordinator c = new ZooKeeperCoordinator(coordinatorConfig(Map.of()), running.server());
            try {
                assertEquals(0, c.compareAndSet("/e", bytes("embedded"), Coordinator.ABSENT));
                assertEquals("embedded", new String(coordinator("127.0.0.1:" + port).read("/e").orElseThrow().value(),
                        UTF_8));
            } finally {
                c.close();
            }
        } finally {
            running.close();
        }
        try (ServerSocket rebound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals("closing the component released the port", port, rebound.getLocalPort());
        }
    }

    /**
     * What DS does when the coordinator's configuration changes: it closes the coordinator and
     * makes a new one. The server, a component of its own, keeps running: its data stays, and a
     * session opened before (here a plain client's) is still alive afterwards.
     */
    @Test
    public void reconfiguringTheCoordinatorKeepsTheServerAndItsData() throws Exception {
        ZooKeeper bystander = new ZooKeeper(ZOOKEEPER.connectString(), SESSION_TIMEOUT_MS, event -> { }, false,
                new NioClientConfig());
        try {
            Poll.until("the bystander connects", () -> bystander.getState().isConnected());
            long bystanderSession = bystander.getSessionId();
            ZooKeeperCoordinator before = coordinator();
            String clusterId = before.clusterId();
            before.compareAndSet("/kept", bytes("data"), Coordinator.ABSENT);
            before.close();

            ZooKeeperCoordinator after = new ZooKeeperCoordinator(coordinatorConfig(Map.of(
                    "zookeeper_connect", ZOOKEEPER.connectString() + chroot,
                    "zookeeper_session_timeout_ms", SESSION_TIMEOUT_MS + 2000)), null);
            try {
                assertEquals("data", new String(after.read("/kept").orElseThrow().value(), UTF_8));
                assertEquals(clusterId, after.clusterId());
                assertEquals(SESSION_TIMEOUT_MS + 2000, after.session().handle().getSessionTimeout());
            } finally {
                after.close();
            }
            assertTrue("the server kept its other sessions", bystander.getState().isConnected());
            assertEquals(bystanderSession, bystander.getSessionId());
            assertTrue(bystander.exists(chroot + "/kept", false) != null);
        } finally {
            bystander.close();
        }
    }

    /** A Config as DS would build it: given values, annotation defaults for the rest. */
    private static ZooKeeperCoordinator.Config coordinatorConfig(Map<String, Object> values) {
        return config(ZooKeeperCoordinator.Config.class, values);
    }

    private static EmbeddedZooKeeperComponent.Config embeddedConfig(Map<String, Object> values) {
        return config(EmbeddedZooKeeperComponent.Config.class, values);
    }

    private static <T> T config(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
                (proxy, method, args) -> {
                    Object value = values.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                }));
    }

    /** A BundleContext that records the properties of the services registered with it. */
    private static BundleContext bundleContext(List<Dictionary<String, ?>> registered) {
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(
                ZooKeeperCoordinatorTest.class.getClassLoader(), new Class<?>[] { ServiceRegistration.class },
                (proxy, method, args) -> null);
        return (BundleContext) Proxy.newProxyInstance(ZooKeeperCoordinatorTest.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (proxy, method, args) -> {
                    if (method.getName().equals("registerService")) {
                        registered.add((Dictionary<String, ?>) args[2]);
                        return registration;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
