package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.coordination.BrokerRegistration;

/**
 * The follower's side: the Fetch request it puts on the wire (decoded with kafka-clients'
 * own parser) and what it does with each kind of answer, against a scripted leader and a real
 * log. Broker 1 follows broker 2.
 */
public class ReplicaFetcherTest {
    static final TopicPartition TP = new TopicPartition("orders", 0);
    static final Uuid TOPIC_ID = Uuid.randomUuid();
    static final int LEADER = 2;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    final ManualClock clock = new ManualClock(9_000_000);
    final TestHost host = new TestHost(1, 1, 2, 3);
    final ScriptedLeader leader = new ScriptedLeader();
    ReplicaFetcherManager manager;
    LogReplica replica;

    /** A leader that answers from a script and records what it was asked. */
    final class ScriptedLeader implements LeaderChannel, LeaderChannel.Factory {
        final Deque<FetchResponseData> answers = new ArrayDeque<>();
        final List<FetchRequestData> requests = new ArrayList<>();
        final List<BrokerRegistration.Endpoint> connects = new ArrayList<>();
        boolean refuseConnections;
        short version = 17;

        @Override
        public LeaderChannel connect(BrokerRegistration.Endpoint endpoint, String clientId, int timeoutMs)
                throws IOException {
            connects.add(endpoint);
            if (refuseConnections) {
                throw new IOException("connection refused");
            }
            return this;
        }

        @Override
        public short fetchVersion() {
            return version;
        }

        @Override
        public FetchResponseData fetch(FetchRequestData request, short v) throws IOException {
            requests.add(request.duplicate());
            FetchResponseData answer = answers.poll();
            if (answer == null) {
                throw new IOException("the script has no answer");
            }
            return answer;
        }

        @Override
        public void close() {
        }
    }

    @Before
    public void setUp() throws IOException {
        replica = new LogReplica(TP, TOPIC_ID, tmp.getRoot().toPath());
        manager = new ReplicaFetcherManager(host, ReplicationConfig.DEFAULTS, clock, leader, false);
    }

    @After
    public void tearDown() throws IOException {
        manager.close();
        replica.close();
    }

    ReplicaFetcher fetcher() {
        ReplicaFetcher f = manager.fetcherOf(TP);
        assertNotNull("followed", f);
        return f;
    }

    static FetchResponseData answer(Errors error, long highWatermark, long logStart, ByteBuffer records,
            int divergingEpoch, long divergingEnd) {
        FetchResponseData.PartitionData p = new FetchResponseData.PartitionData().setPartitionIndex(TP.partition())
                .setErrorCode(error.code()).setHighWatermark(highWatermark).setLogStartOffset(logStart)
                .setRecords(records == null ? MemoryRecords.EMPTY : MemoryRecords.readableRecords(records));
        p.divergingEpoch().setEpoch(divergingEpoch).setEndOffset(divergingEnd);
        return new FetchResponseData().setResponses(List.of(new FetchResponseData.FetchableTopicResponse()
                .setTopicId(TOPIC_ID).setTopic(TP.topic()).setPartitions(List.of(p))));
    }

    static FetchResponseData records(long highWatermark, long logStart, ByteBuffer records) {
        return answer(Errors.NONE, highWatermark, logStart, records, -1, -1);
    }

    static FetchResponseData error(Errors error, long logStart) {
        return answer(error, -1, logStart, null, -1, -1);
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer b : parts) {
            size += b.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer b : parts) {
            out.put(b.duplicate());
        }
        return out.flip();
    }

    FetchRequestData.FetchPartition lastAsked() {
        FetchRequestData r = leader.requests.get(leader.requests.size() - 1);
        return r.topics().get(0).partitions().get(0);
    }

    @Test
    public void theRequestIsAFollowersFetchAsKafkaReadsIt() throws Exception {
        replica.appendAsFollower(LogReplica.leaderBatch(0, 5, 2));
        host.brokerEpoch = 4242;
        manager.follow(replica, LEADER, 7);
        for (short version : new short[] {17, 15, 14, 13, 12}) {
            FetchRequestData data = fetcher().requestFor(version);
            RequestHeader header = new RequestHeader(ApiKeys.FETCH, version, "samsa-replica-fetcher-1-2-0", 9);
            ByteBuffer wire = new FetchRequest(data, version).serializeWithHeader(header);
            assertEquals(ApiKeys.FETCH, RequestHeader.parse(wire).apiKey());
            FetchRequest parsed = FetchRequest.parse(new ByteBufferAccessor(wire), version);

            assertTrue("v" + version, parsed.isFromFollower());
            assertEquals(1, parsed.replicaId());
            assertEquals("v" + version, version >= 15 ? 4242 : -1, parsed.replicaEpoch());
            if (version >= 15) {
                assertEquals(1, parsed.data().replicaState().replicaId());
                assertEquals(-1, parsed.data().replicaId());
            }
            assertEquals(500, parsed.maxWait());
            assertEquals(1, parsed.minBytes());
            assertEquals(10 * 1024 * 1024, parsed.maxBytes());
            assertEquals(IsolationLevel.READ_UNCOMMITTED, parsed.isolationLevel());
            assertEquals("a full fetch, no session", 0, parsed.metadata().sessionId());
            Map<TopicIdPartition, FetchRequest.PartitionData> partitions = parsed.fetchData(Map.of(TOPIC_ID, TP.topic()));
            assertEquals(1, partitions.size());
            TopicIdPartition key = partitions.keySet().iterator().next();
            assertEquals(TP, key.topicPartition());
            assertEquals(version >= 13 ? TOPIC_ID : Uuid.ZERO_UUID, key.topicId());
            FetchRequest.PartitionData p = partitions.get(key);
            assertEquals("from the log end", 5, p.fetchOffset);
            assertEquals(Optional.of(7), p.currentLeaderEpoch);
            assertEquals("the epoch of its last batch", Optional.of(2), p.lastFetchedEpoch);
            assertEquals(0, p.logStartOffset);
            assertEquals(1024 * 1024, p.maxBytes);
        }
        assertEquals("v12 for a topic without an id", 12,
                FetchRequests.versionFor((short) 17, List.of(new FetchRequests.PartitionFetch(TP, Uuid.ZERO_UUID, 0,
                        1, -1, 0))));
        assertEquals("a leader older than v12 cannot be followed", -1, FetchRequests.version((short) 11));
        assertEquals(17, FetchRequests.version((short) 18));
    }

    @Test
    public void recordsAreAppendedAndTheLeadersHighWatermarkAndLogStartFollow() throws Exception {
        manager.follow(replica, LEADER, 7);
        leader.answers.add(records(8, 0, concat(LogReplica.leaderBatch(0, 3, 4), LogReplica.leaderBatch(3, 2, 4))));
        assertEquals(0, fetcher().doWork());
        assertEquals(5, replica.logEndOffset());
        assertEquals(OptionalInt.of(4), replica.latestEpoch());
        assertEquals("the leader's, capped at what we have", 5, replica.highWatermark());
        assertEquals("connected to the leader's PLAINTEXT listener", 9002, leader.connects.get(0).port());

        leader.answers.add(records(5, 2, null));
        fetcher().doWork();
        assertEquals(5, lastAsked().fetchOffset());
        assertEquals(4, lastAsked().lastFetchedEpoch());
        assertEquals(7, lastAsked().currentLeaderEpoch());
        assertEquals("the leader's DeleteRecords", 2, replica.logStartOffset());
        assertEquals(5, replica.highWatermark());
    }

    @Test
    public void aPartialLastBatchIsLeftForTheNextFetch() throws Exception {
        manager.follow(replica, LEADER, 7);
        ByteBuffer second = LogReplica.leaderBatch(3, 4, 4);
        second.limit(second.limit() - 10);
        leader.answers.add(records(7, 0, concat(LogReplica.leaderBatch(0, 3, 4), second)));
        fetcher().doWork();
        assertEquals(3, replica.logEndOffset());
    }

    @Test
    public void aDivergingEpochTruncatesByEpochAndFetchesAgainAtOnce() throws Exception {
        replica.appendAsFollower(LogReplica.leaderBatch(0, 5, 0));
        replica.appendAsFollower(LogReplica.leaderBatch(5, 3, 3));
        replica.updateHighWatermark(8); // the high watermark is no truncation point
        manager.follow(replica, LEADER, 7);
        leader.answers.add(answer(Errors.NONE, 6, 0, null, 0, 5));
        assertEquals(0, fetcher().doWork());
        assertEquals(3, lastAsked().lastFetchedEpoch());
        assertEquals(5, replica.logEndOffset());
        assertEquals(OptionalInt.of(0), replica.latestEpoch());

        leader.answers.add(records(9, 0, LogReplica.leaderBatch(5, 4, 6)));
        fetcher().doWork();
        assertEquals(5, lastAsked().fetchOffset());
        assertEquals(0, lastAsked().lastFetchedEpoch());
        assertEquals(9, replica.logEndOffset());
    }

    @Test
    public void belowTheLeadersLogStartTheLogStartsOverThere() throws Exception {
        manager.follow(replica, LEADER, 7);
        leader.answers.add(error(Errors.OFFSET_OUT_OF_RANGE, 100));
        fetcher().doWork();
        assertEquals(100, replica.logStartOffset());
        assertEquals(100, replica.logEndOffset());
        leader.answers.add(records(102, 100, LogReplica.leaderBatch(100, 2, 7)));
        fetcher().doWork();
        assertEquals(100, lastAsked().fetchOffset());
        assertEquals(102, replica.logEndOffset());
    }

    @Test
    public void aFencedFollowerIsParkedUntilNewerMetadata() throws Exception {
        manager.follow(replica, LEADER, 7);
        leader.answers.add(error(Errors.FENCED_LEADER_EPOCH, 0));
        fetcher().doWork();
        clock.advance(5_000);
        assertTrue("parked: nothing to fetch", fetcher().doWork() > 0);
        assertEquals(1, leader.requests.size());

        manager.follow(replica, LEADER, 8);
        leader.answers.add(records(0, 0, null));
        assertEquals(0, fetcher().doWork());
        assertEquals(2, leader.requests.size());
        assertEquals(8, lastAsked().currentLeaderEpoch());

        for (Errors parking : new Errors[] {Errors.NOT_LEADER_OR_FOLLOWER, Errors.UNKNOWN_TOPIC_ID}) {
            leader.answers.add(error(parking, 0));
            fetcher().doWork();
            int asked = leader.requests.size();
            fetcher().doWork();
            assertEquals(parking + " parks", asked, leader.requests.size());
            manager.follow(replica, LEADER, 8); // the same state again: ask once more
        }
    }

    @Test
    public void aLeaderBehindOnMetadataIsAskedAgainAfterTheBackoff() throws Exception {
        manager.follow(replica, LEADER, 7);
        leader.answers.add(error(Errors.UNKNOWN_LEADER_EPOCH, 0));
        fetcher().doWork();
        assertTrue(fetcher().doWork() > 0);
        assertEquals(1, leader.requests.size());
        clock.advance(ReplicationConfig.DEFAULTS.replicaFetchBackoffMs());
        leader.answers.add(records(0, 0, null));
        assertEquals(0, fetcher().doWork());
        assertEquals(2, leader.requests.size());
    }

    @Test
    public void aConnectionFailureBacksOffAndReconnects() throws Exception {
        manager.follow(replica, LEADER, 7);
        leader.refuseConnections = true;
        assertEquals(1000, fetcher().doWork());
        assertTrue(fetcher().doWork() > 0);
        assertEquals("no second attempt within the backoff", 1, leader.connects.size());
        leader.refuseConnections = false;
        clock.advance(1000);
        leader.answers.add(records(0, 0, null));
        fetcher().doWork();
        assertEquals(2, leader.connects.size());
        assertEquals(1, leader.requests.size());

        fetcher().doWork(); // the script is empty: the fetch fails like a dropped connection
        clock.advance(1000);
        leader.answers.add(records(0, 0, null));
        fetcher().doWork();
        assertEquals("reconnected after the failed fetch", 3, leader.connects.size());
    }

    @Test
    public void aBrokerWithoutTheInterBrokerListenerIsNotFetchedFrom() throws Exception {
        ReplicationConfig c = new ReplicationConfig(30_000, 500, 1, 1 << 20, 10 << 20, 1000, 30_000, 1,
                Optional.of("REPLICATION"));
        ReplicaFetcherManager m = new ReplicaFetcherManager(host, c, clock, leader, false);
        try {
            m.follow(replica, LEADER, 7);
            assertEquals(1000, m.fetcherOf(TP).doWork());
            assertEquals("no connection attempt", 0, leader.connects.size());
            host.brokers.removeIf(b -> b.brokerId() == LEADER);
            host.brokers.add(new BrokerRegistration(LEADER, "127.0.0.1", 9002, Optional.empty(), 100,
                    List.of(BrokerRegistration.Endpoint.of("PLAINTEXT", "127.0.0.1", 9002),
                            BrokerRegistration.Endpoint.of("REPLICATION", "127.0.0.1", 9102))));
            clock.advance(1000);
            leader.answers.add(records(0, 0, null));
            m.fetcherOf(TP).doWork();
            assertEquals(9102, leader.connects.get(0).port());
        } finally {
            m.close();
        }
    }

    @Test
    public void aFailedDiskDropsThePartition() throws Exception {
        manager.follow(replica, LEADER, 7);
        ReplicaFetcher f = fetcher();
        replica.diskBroken = true;
        leader.answers.add(records(3, 0, LogReplica.leaderBatch(0, 3, 4)));
        f.doWork();
        assertNull("no longer followed", manager.fetcherOf(TP));
        assertEquals(0, f.size());
    }

    @Test
    public void batchesThatDoNotContinueTheLogAreFetchedAgainThenBackedOff() throws Exception {
        manager.follow(replica, LEADER, 7);
        leader.answers.add(records(5, 0, LogReplica.leaderBatch(3, 2, 4)));
        assertEquals(0, fetcher().doWork());
        assertEquals(0, replica.logEndOffset());
        leader.answers.add(records(5, 0, LogReplica.leaderBatch(3, 2, 4)));
        fetcher().doWork();
        assertEquals("fetched again at once from the log end", 0, lastAsked().fetchOffset());
        assertTrue("a second refusal in a row backs off", fetcher().doWork() > 0);
        assertEquals(2, leader.requests.size());
    }

    @Test
    public void takingThePartitionAwayStopsItsFetchesAndAnotherLeaderGetsItsOwnFetcher() throws Exception {
        manager.follow(replica, LEADER, 7);
        ReplicaFetcher f = fetcher();
        manager.follow(replica, 3, 8);
        assertEquals(3, fetcher().sourceBroker());
        assertEquals("the old leader's fetcher is empty", 0, f.size());
        manager.unfollow(TP);
        assertNull(manager.fetcherOf(TP));
        assertTrue(manager.fetchers().isEmpty());
    }
}
