package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.fetch;
import static io.samsa.broker.BrokerFixture.produce;
import static io.samsa.broker.BrokerFixture.values;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.ProduceResult;
import io.samsa.api.storage.FollowerAppendException;

/** {@link Partition} as a follower replica: what it copies, truncates, and keeps of its producers for a failover. */
public class FollowerReplicaTest {

    private static final long PID = 4242;
    private static final short PRODUCER_EPOCH = 0;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private BrokerServer broker;
    private final TopicPartition tp = new TopicPartition("copied", 0);
    private Partition replica;

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "copied", 1);
        // Broker 1 leads at epoch 1; this one follows.
        replica = fixture.apply(broker, tp, 1, 1, 1);
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    /** What the leader wrote: two idempotent batches of one producer, then a plain one. */
    private void copyLeadersLog() throws Exception {
        replica.appendAsFollower(Records.asLeaderWrote(Records.idempotent(PID, PRODUCER_EPOCH, 0, "a", "b"), 0, 1));
        replica.appendAsFollower(Records.concat(
                Records.asLeaderWrote(Records.idempotent(PID, PRODUCER_EPOCH, 2, "c"), 2, 1),
                Records.asLeaderWrote(Records.batch("plain"), 3, 1)));
        replica.updateHighWatermark(4);
    }

    @Test
    public void aRetryOfABatchTheOldLeaderWroteIsADuplicateAfterFailover() throws Exception {
        copyLeadersLog();
        assertEquals(4, replica.logEndOffset());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, produce(broker, tp, Records.batch("x")).error());

        fixture.apply(broker, tp, 0, 2, 1); // the leader failed; this replica leads now
        ProduceResult retry = produce(broker, tp, Records.idempotent(PID, PRODUCER_EPOCH, 2, "c"));
        assertEquals(Errors.NONE, retry.error());
        assertEquals("answered with the offset the old leader gave it", 2, retry.baseOffset());
        assertEquals("not appended twice", 4, replica.logEndOffset());
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                produce(broker, tp, Records.idempotent(PID, PRODUCER_EPOCH, 7, "gap")).error());
        assertEquals(4, produce(broker, tp, Records.idempotent(PID, PRODUCER_EPOCH, 3, "d")).baseOffset());
        assertEquals(List.of("a", "b", "c", "plain", "d"), values(fetch(broker, tp, 0)));
    }

    @Test
    public void aFollowerExpiresProducersByTheTimeOfTheirBatches() throws Exception {
        long now = System.currentTimeMillis();
        long twoDaysAgo = now - 2 * RetentionScheduler.PRODUCER_EXPIRATION_MS;
        replica.appendAsFollower(Records.asLeaderWrote(Records.idempotentAt(twoDaysAgo, PID, PRODUCER_EPOCH, 0, "old"),
                0, 1));
        replica.appendAsFollower(Records.asLeaderWrote(Records.idempotentAt(now, PID + 1, PRODUCER_EPOCH, 0, "new"),
                1, 1));
        assertEquals(2, replica.producers().size());
        // The leader wrote the old batch two days ago: here too it is past producer.id.expiration.ms.
        assertEquals(1, replica.expireProducers(now - RetentionScheduler.PRODUCER_EXPIRATION_MS));
        assertEquals(1, replica.producers().size());

        fixture.apply(broker, tp, 0, 2, 1);
        assertEquals("the recent producer's retry is still a duplicate", 1,
                produce(broker, tp, Records.idempotent(PID + 1, PRODUCER_EPOCH, 0, "new")).baseOffset());
    }

    @Test
    public void truncationForgetsTheProducerStateOfWhatItRemoved() throws Exception {
        copyLeadersLog();
        replica.truncateTo(2); // the leader's log diverged after offset 1
        assertEquals(2, replica.logEndOffset());
        assertEquals("the high watermark cannot stay above the log", 2, replica.highWatermark());

        fixture.apply(broker, tp, 0, 2, 1);
        ProduceResult again = produce(broker, tp, Records.idempotent(PID, PRODUCER_EPOCH, 2, "c"));
        assertEquals(Errors.NONE, again.error());
        assertEquals("the removed batch is written anew, not taken for a duplicate", 2, again.baseOffset());
        ProduceResult first = produce(broker, tp, Records.idempotent(PID, PRODUCER_EPOCH, 0, "a", "b"));
        assertEquals("what is left still answers retries", 0, first.baseOffset());
        assertEquals(List.of("a", "b", "c"), values(fetch(broker, tp, 0)));
    }

    @Test
    public void startingOverForgetsEveryProducer() throws Exception {
        copyLeadersLog();
        replica.truncateFullyAndStartAt(10);
        assertEquals(10, replica.logStartOffset());
        assertEquals(10, replica.logEndOffset());
        assertEquals(10, replica.highWatermark());

        fixture.apply(broker, tp, 0, 2, 1);
        // An unknown producer's next batch is taken as it comes.
        assertEquals(10, produce(broker, tp, Records.idempotent(PID, PRODUCER_EPOCH, 5, "later")).baseOffset());
    }

    @Test
    public void aRefusedCopyAppendsNothing() throws Exception {
        copyLeadersLog();
        ByteBuffer gap = Records.asLeaderWrote(Records.batch("far"), 9, 1);
        FollowerAppendException e = assertThrows(FollowerAppendException.class, () -> replica.appendAsFollower(gap));
        assertEquals(FollowerAppendException.Problem.OFFSET_MISMATCH, e.problem());
        assertEquals(4, replica.logEndOffset());
        assertEquals("a refused batch is no disk failure", true, replica.online());
    }

    @Test
    public void epochsAndLogStartOffsetFollowTheLeader() throws Exception {
        copyLeadersLog();
        assertEquals(1, replica.latestEpoch().getAsInt());
        replica.assignEpochStartOffset(3, 4);
        assertEquals(3, replica.latestEpoch().getAsInt());
        assertEquals(4, replica.endOffsetForEpoch(1).endOffset());
        replica.maybeIncrementLogStartOffset(2);
        replica.maybeIncrementLogStartOffset(1); // never lowered
        assertEquals(2, replica.logStartOffset());
    }

    @Test
    public void theHighWatermarkIsClippedToTheLog() throws Exception {
        copyLeadersLog();
        replica.updateHighWatermark(99);
        assertEquals(4, replica.highWatermark());
        replica.updateHighWatermark(1); // a follower takes the leader's, also when lower
        assertEquals(1, replica.highWatermark());
    }
}
