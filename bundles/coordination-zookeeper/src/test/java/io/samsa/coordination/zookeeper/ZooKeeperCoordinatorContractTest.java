package io.samsa.coordination.zookeeper;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.ClassRule;

import io.samsa.api.coordination.Coordinator;
import io.samsa.testsupport.CoordinatorContractTest;

/**
 * The Coordinator contract on the ZooKeeper coordinator, against a real embedded ZooKeeper
 * server; every test's cluster is a chroot of its own.
 */
public class ZooKeeperCoordinatorContractTest extends CoordinatorContractTest {
    private static final int SESSION_TIMEOUT_MS = 6000;
    private static final int CONNECTION_TIMEOUT_MS = 5000;
    private static final AtomicInteger CHROOTS = new AtomicInteger();

    @ClassRule
    public static final EmbeddedZooKeeperRule ZOOKEEPER = new EmbeddedZooKeeperRule(SESSION_TIMEOUT_MS);

    private final String chroot = "/contract" + CHROOTS.incrementAndGet();

    @Override
    protected Coordinator openSession() {
        return new ZooKeeperCoordinator(new ZooKeeperCoordinator.Settings(ZOOKEEPER.connectString() + chroot,
                SESSION_TIMEOUT_MS, CONNECTION_TIMEOUT_MS));
    }

    @Override
    protected void closeSession(Coordinator session) {
        ((ZooKeeperCoordinator) session).close();
    }

    @Override
    protected void expireSession(Coordinator session) throws Exception {
        SessionFaults.expire((ZooKeeperCoordinator) session, ZOOKEEPER.connectString());
    }

    @Override
    protected void dropConnection(Coordinator session) throws Exception {
        SessionFaults.dropConnection((ZooKeeperCoordinator) session);
    }
}
