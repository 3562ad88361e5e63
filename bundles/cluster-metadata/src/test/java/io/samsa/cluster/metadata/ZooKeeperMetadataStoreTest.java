package io.samsa.cluster.metadata;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.coordination.Coordinator;
import io.samsa.coordination.zookeeper.EmbeddedZooKeeperServer;
import io.samsa.coordination.zookeeper.ZooKeeperCoordinator;

/**
 * The store's contract on the ZooKeeper coordinator against a real ZooKeeper server (the
 * coordinator bundle's embedded one); every test's cluster is a chroot of its own.
 */
public class ZooKeeperMetadataStoreTest extends ClusterMetadataStoreContractTest {
    private static final int SESSION_TIMEOUT_MS = 6000;
    private static final int CONNECTION_TIMEOUT_MS = 5000;
    private static final AtomicInteger CHROOTS = new AtomicInteger();

    @ClassRule
    public static final TemporaryFolder FOLDER = new TemporaryFolder();
    private static EmbeddedZooKeeperServer server;

    private final String chroot = "/metadata" + CHROOTS.incrementAndGet();

    @BeforeClass
    public static void startZooKeeper() throws Exception {
        server = EmbeddedZooKeeperServer.start(0, FOLDER.newFolder("zk").toPath(), SESSION_TIMEOUT_MS);
    }

    @AfterClass
    public static void stopZooKeeper() {
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
}
