package io.samsa.testsupport;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
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

    @Test
    public void anUnreachableSessionsLeaseRunsOutAsAPausedProcesssWould() {
        InMemoryCoordinator c = (InMemoryCoordinator) session();
        c.setLeaseMillis(200);
        BrokerSession broker = c.registerBroker(new BrokerRegistration(1, "h", 1, Optional.empty(), 0));
        assertTrue(broker.holdsLease());
        c.setReachable(false);
        long cutAt = System.nanoTime();
        assertTrue("the lease reaches no further than the lease time", broker.leaseValidUntilNanos() - cutAt
                <= TimeUnit.MILLISECONDS.toNanos(200));
        Poll.until("the lease runs out", () -> !broker.holdsLease());
        c.setReachable(true);
        assertTrue("reachable again, it holds the lease", broker.holdsLease());
        broker.close();
        assertFalse(broker.holdsLease());
    }
}
