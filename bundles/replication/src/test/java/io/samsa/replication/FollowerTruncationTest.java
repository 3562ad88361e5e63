package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.replication.FollowerFetchCheck;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.replication.FollowerTruncation.Decision;

/** Where a follower cuts its log when the leader says it diverged (KIP-279), as a table and on real logs. */
public class FollowerTruncationTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<LogReplica> opened = new ArrayList<>();

    @After
    public void close() throws IOException {
        for (LogReplica r : opened) {
            r.close();
        }
    }

    private static EpochEndOffset e(int epoch, long end) {
        return new EpochEndOffset(epoch, end);
    }

    @Test
    public void theTable() {
        // leader's answer, the follower's end of that epoch, the follower's log end -> decision
        assertEquals("same epoch, the leader's ends first", new Decision(8, true), FollowerTruncation.decide(e(3, 8), e(3, 10), 12));
        assertEquals("same epoch, ours ends first", new Decision(10, true), FollowerTruncation.decide(e(3, 12), e(3, 10), 12));
        assertEquals("we lack the epoch: to the end of our largest below it, then ask again",
                new Decision(5, false), FollowerTruncation.decide(e(2, 7), e(1, 5), 12));
        assertEquals("no epoch of ours at or below it: to the leader's end", new Decision(7, true),
                FollowerTruncation.decide(e(2, 7), EpochEndOffset.UNDEFINED, 12));
        assertEquals("never above our log end", new Decision(10, true), FollowerTruncation.decide(e(3, 20), e(3, 15), 10));
        assertEquals(new Decision(4, true), FollowerTruncation.decide(e(0, 9), EpochEndOffset.UNDEFINED, 4));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> FollowerTruncation.decide(EpochEndOffset.UNDEFINED, e(1, 5), 12));
        assertTrue(bad.getMessage(), bad.getMessage().contains("diverging epoch"));
    }

    private LogReplica log(String name) throws IOException {
        LogReplica r = new LogReplica(new TopicPartition("orders", 0), Uuid.randomUuid(), tmp.newFolder(name).toPath());
        opened.add(r);
        return r;
    }

    private static void copy(LogReplica log, long base, int count, int epoch) throws IOException {
        log.appendAsFollower(LogReplica.leaderBatch(base, count, epoch));
    }

    /** Runs the follower's loop against a leader over {@code leaderLog}: returns the rounds that truncated. */
    private int converge(LogReplica leaderLog, int leaderEpoch, LogReplica follower) throws IOException {
        TestHost host = new TestHost(1, 1, 2);
        leaderLog.assignEpochStartOffset(leaderEpoch, leaderLog.logEndOffset());
        LeaderState leader = new LeaderState(leaderLog, host, PartitionAssignment.of(List.of(1, 2)),
                new PartitionState(1, leaderEpoch, List.of(1, 2), 0, 1, LeaderRecoveryState.RECOVERED),
                new ReplicaSettings(1), leaderLog.logEndOffset(), new ManualClock(0), 30_000,
                new TimerWheel(10, 8, 0), l -> { });
        int rounds = 0;
        while (true) {
            OptionalInt latest = follower.latestEpoch();
            FollowerFetchCheck check = leader.checkFollowerFetch(2, 100, follower.logEndOffset(),
                    latest.isPresent() ? latest.getAsInt() : -1);
            if (check.reads()) {
                return rounds;
            }
            assertTrue("no error but divergence: " + check, check.divergingEpoch().isPresent());
            FollowerTruncation.truncate(follower, check.divergingEpoch().get());
            assertTrue("converges", ++rounds < 10);
        }
    }

    @Test
    public void aFollowerMissingTheLeadersEpochsWalksBackEpochByEpoch() throws Exception {
        LogReplica leader = log("leader");
        copy(leader, 0, 5, 0);
        copy(leader, 5, 5, 2);
        LogReplica follower = log("follower");
        copy(follower, 0, 5, 0);
        copy(follower, 5, 3, 1); // epochs 1 and 3 the leader never had
        copy(follower, 8, 4, 3);

        assertEquals(2, converge(leader, 4, follower));
        assertEquals("back to where the logs agree", 5, follower.logEndOffset());
        assertEquals(OptionalInt.of(0), follower.latestEpoch());
        copy(follower, 5, 5, 2); // the leader's batches now fit
        assertEquals(10, follower.logEndOffset());
    }

    @Test
    public void aFollowerAheadInTheSameEpochCutsItsUncommittedTail() throws Exception {
        LogReplica leader = log("leader");
        copy(leader, 0, 5, 0);
        copy(leader, 5, 2, 1);
        LogReplica follower = log("follower");
        copy(follower, 0, 5, 0);
        copy(follower, 5, 2, 1);
        copy(follower, 7, 4, 1); // 7-10 were never committed; the leader lost them

        assertEquals(1, converge(leader, 2, follower));
        assertEquals(7, follower.logEndOffset());
        assertEquals(OptionalInt.of(1), follower.latestEpoch());
    }

    @Test
    public void aFormerLeaderDropsTheEpochItStartedWithoutWritingAndKeepsItsRecords() throws Exception {
        LogReplica formerLeader = log("former");
        copy(formerLeader, 0, 5, 0);
        formerLeader.assignEpochStartOffset(6, 5); // elected in 6, wrote nothing
        LogReplica newLeader = log("new");
        copy(newLeader, 0, 5, 0);
        copy(newLeader, 5, 4, 5);

        assertEquals(1, converge(newLeader, 7, formerLeader));
        assertEquals("no record lost: the cut is at the log end", 5, formerLeader.logEndOffset());
        assertEquals("the empty epoch went", OptionalInt.of(0), formerLeader.latestEpoch());
        copy(formerLeader, 5, 4, 5);
        assertEquals(9, formerLeader.logEndOffset());
    }

    @Test
    public void followersInStepAreNotTruncated() throws Exception {
        LogReplica leader = log("leader");
        copy(leader, 0, 5, 0);
        copy(leader, 5, 5, 1);
        LogReplica follower = log("follower");
        copy(follower, 0, 5, 0);
        copy(follower, 5, 2, 1);
        assertEquals(0, converge(leader, 2, follower));
        assertEquals(7, follower.logEndOffset());
    }
}
