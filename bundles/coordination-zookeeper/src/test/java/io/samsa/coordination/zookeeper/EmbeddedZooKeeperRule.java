package io.samsa.coordination.zookeeper;

import java.io.File;
import java.io.IOException;

import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/** A real embedded ZooKeeper server for one test class, with its data in a folder of its own. */
final class EmbeddedZooKeeperRule extends ExternalResource {
    private final TemporaryFolder folder = new TemporaryFolder();
    private final int sessionTimeoutMs;
    private EmbeddedZooKeeperServer server;

    EmbeddedZooKeeperRule(int sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    @Override
    protected void before() throws Throwable {
        folder.create();
        server = EmbeddedZooKeeperServer.start(0, folder.newFolder("zk").toPath(), sessionTimeoutMs);
    }

    @Override
    protected void after() {
        if (server != null) {
            server.close();
        }
        folder.delete();
    }

    String connectString() {
        return server.connectString();
    }

    /** A new folder beside the server's data, deleted with it. */
    File newFolder(String name) throws IOException {
        return folder.newFolder(name);
    }
}
