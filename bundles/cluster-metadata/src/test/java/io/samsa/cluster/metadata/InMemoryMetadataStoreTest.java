package io.samsa.cluster.metadata;

import io.samsa.api.coordination.Coordinator;
import io.samsa.testsupport.InMemoryCoordinator;

/** The store's contract on the in-memory coordinator the other bundles' tests use. */
public class InMemoryMetadataStoreTest extends ClusterMetadataStoreContractTest {

    private InMemoryCoordinator cluster;

    @Override
    protected Coordinator openSession() {
        if (cluster == null) {
            cluster = new InMemoryCoordinator();
            return cluster;
        }
        return cluster.connectAnother();
    }

    @Override
    protected void closeSession(Coordinator session) {
        ((InMemoryCoordinator) session).close();
    }
}
