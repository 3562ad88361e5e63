package io.samsa.testsupport;

import io.samsa.api.coordination.Coordinator;

/** The Coordinator contract on the in-memory fake the broker's tests use, so that they test against a faithful one. */
public class InMemoryCoordinatorContractTest extends CoordinatorContractTest {

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

    @Override
    protected void expireSession(Coordinator session) {
        ((InMemoryCoordinator) session).expireSession();
    }

    @Override
    protected void dropConnection(Coordinator session) {
        ((InMemoryCoordinator) session).dropConnection();
    }
}
