package io.samsa.coordination.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.ClassRule;

import io.samsa.testsupport.LoopbackPorts;

/** One real ZooKeeper server per test class; each test works in its own chroot. */
public abstract class EmbeddedServerTestBase {
    static final int SESSION_TIMEOUT_MS = 6000;
    static final int CONNECTION_TIMEOUT_MS = 5000;
    private static final AtomicInteger CHROOTS = new AtomicInteger();

    @ClassRule
    public static final EmbeddedZooKeeperRule ZOOKEEPER = new EmbeddedZooKeeperRule(SESSION_TIMEOUT_MS);

    private final List<ZooKeeperCoordinator> coordinators = new ArrayList<>();
    /** The chroot of this test, e.g. "/t3". */
    final String chroot = "/t" + CHROOTS.incrementAndGet();

    @After
    public void closeCoordinators() {
        coordinators.forEach(ZooKeeperCoordinator::close);
    }

    /** A coordinator in this test's chroot, closed after the test. */
    ZooKeeperCoordinator coordinator() {
        return coordinator(ZOOKEEPER.connectString() + chroot);
    }

    ZooKeeperCoordinator coordinator(String connect) {
        ZooKeeperCoordinator coordinator = new ZooKeeperCoordinator(
                new ZooKeeperCoordinator.Settings(connect, SESSION_TIMEOUT_MS, CONNECTION_TIMEOUT_MS));
        coordinators.add(coordinator);
        return coordinator;
    }

    static int freePort() {
        return LoopbackPorts.free();
    }
}
