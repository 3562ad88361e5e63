package io.samsa.coordination.zookeeper;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.rules.TemporaryFolder;

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
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static EmbeddedZooKeeperServer server;

    private final String chroot = "/contract" + CHROOTS.incrementAndGet();

    @BeforeClass
    public static void startServer() throws IOException {
        server = EmbeddedZooKeeperServer.start(0, TMP.newFolder("zk").toPath(), SESSION_TIMEOUT_MS);
    }

    @AfterClass
    public static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Coordinator openSession() {
        return new ZooKeeperCoordinator(new ZooKeeperCoordinator.Settings(server.connectString() + chroot,
                SESSION_TIMEOUT_MS, CONNECTION_TIMEOUT_MS));
    }

    @Override
    protected void closeSession(Coordinator session) {
        ((ZooKeeperCoordinator) session).close();
    }

    @Override
    protected void expireSession(Coordinator session) throws Exception {
        SessionFaults.expire((ZooKeeperCoordinator) session, server.connectString());
    }

    @Override
    protected void dropConnection(Coordinator session) throws Exception {
        SessionFaults.dropConnection((ZooKeeperCoordinator) session);
    }
}
