package io.samsa.coordination.raft;

import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

import io.samsa.api.coordination.Coordinator;
import io.samsa.testsupport.CoordinatorContractTest;
import io.samsa.testsupport.Poll;

/**
 * The coordinator contract on a one-voter quorum and on a three-voter quorum whose sessions are
 * spread over the nodes, as brokers on different machines would be.
 */
@RunWith(Parameterized.class)
public class RaftCoordinatorContractTest extends CoordinatorContractTest {
    @Parameters(name = "{0} voters")
    public static List<Object[]> quorums() {
        return List.of(new Object[] { 1 }, new Object[] { 3 });
    }

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();
    private final int voters;
    private TestQuorum quorum;
    private int next;

    public RaftCoordinatorContractTest(int voters) {
        this.voters = voters;
    }

    @Before
    public void startQuorum() throws Exception {
        quorum = new TestQuorum(folder.getRoot().toPath(), voters);
        quorum.awaitLeader();
    }

    @After
    public void stopQuorum() {
        quorum.close();
    }

    @Override
    protected Coordinator openSession() {
        return quorum.open(next++ % quorum.size());
    }

    @Override
    protected void closeSession(Coordinator session) {
        ((RaftCoordinator) session).close();
    }

    @Override
    protected void expireSession(Coordinator session) throws Exception {
        RaftCoordinator c = (RaftCoordinator) session;
        long before = c.sessionId();
        c.expireNow();
        Poll.until("session " + before + " is renewed", () -> c.sessionId() != before);
    }

    @Override
    protected void dropConnection(Coordinator session) throws Exception {
        ((RaftCoordinator) session).dropConnection();
    }
}
