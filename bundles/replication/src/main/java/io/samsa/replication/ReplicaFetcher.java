package io.samsa.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.replication.LocalReplica;
import io.samsa.api.replication.ReplicaHost;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.FollowerAppendException;

/**
 * One fetcher thread: copies the partitions this broker follows from one leader broker, over
 * one connection, one full Fetch request at a time (Kafka's replica fetcher, without
 * incremental sessions). The local appends run on this thread under each partition's lock,
 * never on a request thread, so replication cannot stall the client pipeline.
 * <p>
 * Per partition the answer decides: records are appended as they are and the leader's high
 * watermark and log start follow; a diverging epoch truncates by epoch and fetches again; a
 * fetch below the leader's log start starts the log over there; a leader that no longer leads
 * this epoch parks the partition until newer metadata arrives; anything transient backs off
 * {@code replica.fetch.backoff.ms}. A replica that fails locally (its disk) is dropped: the
 * broker has taken it offline.
 */
final class ReplicaFetcher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    private static final int BATCH_HEADER = 12; // base offset, batch length

    /** One partition of a request in flight. */
    private record Sent(FollowedPartition partition, FetchRequests.PartitionFetch fetch) {
    }

    private final String name;
    private final int sourceBroker;
    private final ReplicaHost host;
    private final ReplicationConfig config;
    private final LongSupplier clock;
    private final LeaderChannel.Factory channels;
    private final Consumer<FollowedPartition> dropped;
    private final Map<TopicPartition, FollowedPartition> partitions = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile LeaderChannel channel;
    private long connectNotBeforeMs;
    private Thread thread;
    /** Set by {@link #wakeUp}, cleared by the thread before its next round; guarded by this. */
    private boolean woken;

    /**
     * @param dropped told of a partition this fetcher gave up because its replica failed
     */
    ReplicaFetcher(String name, int sourceBroker, ReplicaHost host, ReplicationConfig config, LongSupplier clock,
            LeaderChannel.Factory channels, Consumer<FollowedPartition> dropped) {
        this.name = name;
        this.sourceBroker = sourceBroker;
        this.host = host;
        this.config = config;
        this.clock = clock;
        this.channels = channels;
        this.dropped = dropped;
    }

    String name() {
        return name;
    }

    int sourceBroker() {
        return sourceBroker;
    }

    /** Starts the thread (not in unit tests, which call {@link #doWork} themselves). */
    synchronized void start() {
        if (thread == null) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    Thread thread() {
        return thread;
    }

    void add(FollowedPartition p) {
        partitions.put(p.topicPartition, p);
        wakeUp();
    }

    FollowedPartition partition(TopicPartition tp) {
        return partitions.get(tp);
    }

    int size() {
        return partitions.size();
    }

    /**
     * Takes the partition away; returns once no response of it is being handled, so nothing
     * more of this leader reaches its log.
     */
    void remove(FollowedPartition p) {
        p.lock.lock();
        try {
            p.removed = true;
            partitions.remove(p.topicPartition, p);
        } finally {
            p.lock.unlock();
        }
    }

    /** A parked or backing-off partition may fetch now (newer metadata, a new epoch). */
    void resume(FollowedPartition p, int leaderEpoch) {
        p.lock.lock();
        try {
            p.leaderEpoch = leaderEpoch;
            p.mode = FollowedPartition.Mode.FETCHING;
            p.notBeforeMs = 0;
        } finally {
            p.lock.unlock();
        }
        wakeUp();
    }

    synchronized void wakeUp() {
        woken = true;
        notifyAll();
    }

    /** Stops the thread and closes the connection; does not wait. */
    void shutdown() {
        running = false;
        LeaderChannel c = channel;
        if (c != null) {
            c.close();
        }
        wakeUp();
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    long waitMs = doWork();
                    synchronized (this) {
                        // A partition added or resumed while the round ran must not wait out the pause.
                        if (running && waitMs > 0 && !woken) {
                            wait(waitMs);
                        }
                        woken = false;
                    }
                } catch (RuntimeException e) {
                    LOG.error("{}: fetch round failed; backing off {} ms", name, config.replicaFetchBackoffMs(), e);
                    closeChannel();
                    connectNotBeforeMs = clock.getAsLong() + config.replicaFetchBackoffMs();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeChannel();
        }
    }

    /**
     * One round: a fetch of every partition that may fetch now, and its answer handled.
     *
     * @return how long to wait before the next round, 0 to go on at once
     */
    long doWork() {
        long now = clock.getAsLong();
        if (now < connectNotBeforeMs) {
            return connectNotBeforeMs - now;
        }
        List<Sent> batch = new ArrayList<>();
        long nextMs = now + 1000;
        for (FollowedPartition p : partitions.values()) {
            if (p.mode == FollowedPartition.Mode.PARKED && !p.removed && p.notBeforeMs <= now) {
                // Parked longer than the socket timeout without newer metadata: ask once more rather than
                // wait forever for an event that may have been lost.
                p.mode = FollowedPartition.Mode.FETCHING;
            }
            if (p.fetchable(now)) {
                batch.add(new Sent(p, position(p)));
            } else if (!p.removed) {
                nextMs = Math.min(nextMs, Math.max(p.notBeforeMs, now + 1));
            }
        }
        if (batch.isEmpty()) {
            return Math.max(1, nextMs - now);
        }
        LeaderChannel c;
        try {
            c = channel();
        } catch (IOException e) {
            LOG.warn("{}: cannot connect to broker {}: {}; retrying in {} ms", name, sourceBroker, e.getMessage(),
                    config.replicaFetchBackoffMs());
            connectNotBeforeMs = now + config.replicaFetchBackoffMs();
            return config.replicaFetchBackoffMs();
        }
        List<FetchRequests.PartitionFetch> fetches = new ArrayList<>(batch.size());
        for (Sent s : batch) {
            fetches.add(s.fetch());
        }
        short version = FetchRequests.versionFor(c.fetchVersion(), fetches);
        FetchRequestData request = FetchRequests.build(version, host.brokerId(), host.brokerEpoch(), config, fetches);
        FetchResponseData response;
        try {
            response = c.fetch(request, version);
        } catch (IOException e) {
            if (running) {
                LOG.warn("{}: fetch from broker {} ({}) failed: {}; retrying in {} ms", name, sourceBroker, c,
                        e.getMessage(), config.replicaFetchBackoffMs());
            }
            closeChannel();
            connectNotBeforeMs = clock.getAsLong() + config.replicaFetchBackoffMs();
            return config.replicaFetchBackoffMs();
        }
        handle(response, batch, version);
        return 0;
    }

    /** Where {@code p} fetches from: its log end, with its latest epoch and log start. */
    private static FetchRequests.PartitionFetch position(FollowedPartition p) {
        LocalReplica r = p.replica;
        OptionalInt latest = r.latestEpoch();
        return new FetchRequests.PartitionFetch(p.topicPartition, r.topicId(), r.logEndOffset(), p.leaderEpoch,
                latest.isPresent() ? latest.getAsInt() : -1, r.logStartOffset());
    }

    /** The request this fetcher would send now (for tests of what goes on the wire). */
    FetchRequestData requestFor(short version) {
        long now = clock.getAsLong();
        List<FetchRequests.PartitionFetch> fetches = new ArrayList<>();
        for (FollowedPartition p : partitions.values()) {
            if (p.fetchable(now)) {
                fetches.add(position(p));
            }
        }
        return FetchRequests.build(version, host.brokerId(), host.brokerEpoch(), config, fetches);
    }

    private void handle(FetchResponseData response, List<Sent> batch, short version) {
        long now = clock.getAsLong();
        Errors top = Errors.forCode(response.errorCode());
        if (top != Errors.NONE) {
            LOG.warn("{}: broker {} answered the fetch with {}; backing off", name, sourceBroker, top);
            for (Sent s : batch) {
                backOff(s.partition(), now);
            }
            return;
        }
        Map<TopicPartition, Sent> byPartition = new HashMap<>(batch.size() * 2);
        Map<Uuid, String> names = new HashMap<>();
        for (Sent s : batch) {
            byPartition.put(s.partition().topicPartition, s);
            if (s.fetch().topicId() != null) {
                names.put(s.fetch().topicId(), s.partition().topicPartition.topic());
            }
        }
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            String topicName = version >= FetchRequests.TOPIC_IDS_VERSION ? names.get(topic.topicId()) : topic.topic();
            if (topicName == null) {
                continue;
            }
            for (FetchResponseData.PartitionData pd : topic.partitions()) {
                Sent s = byPartition.get(new TopicPartition(topicName, pd.partitionIndex()));
                if (s != null) {
                    handlePartition(s, pd, now);
                }
            }
        }
    }

    private void handlePartition(Sent s, FetchResponseData.PartitionData pd, long now) {
        FollowedPartition p = s.partition();
        boolean failed = false;
        p.lock.lock();
        try {
            if (p.removed || p.leaderEpoch != s.fetch().currentLeaderEpoch()
                    || p.replica.logEndOffset() != s.fetch().fetchOffset()) {
                return; // taken away, another epoch, or the log moved meanwhile: this answer is stale
            }
            Errors error = Errors.forCode(pd.errorCode());
            switch (error) {
                case NONE -> handleData(p, s.fetch(), pd, now);
                case OFFSET_OUT_OF_RANGE -> handleOutOfRange(p, s.fetch(), pd, now);
                case FENCED_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_ID -> {
                    LOG.info("{}: broker {} answered {} for {}; waiting for newer metadata", name, sourceBroker,
                            error, p);
                    p.mode = FollowedPartition.Mode.PARKED;
                    p.notBeforeMs = now + config.replicaSocketTimeoutMs();
                }
                default -> {
                    LOG.debug("{}: broker {} answered {} for {}; backing off", name, sourceBroker, error, p);
                    backOff(p, now);
                }
            }
        } catch (IOException e) {
            // The disk: the broker took the replica offline.
            LOG.error("{}: {} failed locally; it is no longer fetched here", name, p.topicPartition, e);
            p.removed = true;
            partitions.remove(p.topicPartition, p);
            failed = true;
        } catch (RuntimeException e) {
            LOG.error("{}: handling broker {}'s answer for {} failed; backing off", name, sourceBroker, p, e);
            backOff(p, now);
        } finally {
            p.lock.unlock();
        }
        if (failed) {
            // Outside the partition's lock: the manager may be waiting for it while holding its own.
            dropped.accept(p);
        }
    }

    private void handleData(FollowedPartition p, FetchRequests.PartitionFetch sent, FetchResponseData.PartitionData pd,
            long now) throws IOException {
        LocalReplica r = p.replica;
        FetchResponseData.EpochEndOffset diverging = pd.divergingEpoch();
        if (diverging.epoch() >= 0 && diverging.endOffset() >= 0) {
            truncate(p, new EpochEndOffset(diverging.epoch(), diverging.endOffset()), now);
            return;
        }
        BaseRecords records = pd.records();
        if (records instanceof MemoryRecords memory && memory.sizeInBytes() > 0) {
            ByteBuffer batches = wholeBatches(memory.buffer());
            if (batches == null) {
                LOG.warn("{}: the first batch of {} at {} is larger than replica.fetch.max.bytes ({}); backing off",
                        name, p.topicPartition, sent.fetchOffset(), config.replicaFetchMaxBytes());
                backOff(p, now);
                return;
            }
            try {
                r.appendAsFollower(batches);
                p.offsetMismatches = 0;
            } catch (FollowerAppendException e) {
                refused(p, e, now);
                return;
            }
        }
        long logEnd = r.logEndOffset();
        if (pd.highWatermark() >= 0) {
            r.updateHighWatermark(Math.min(pd.highWatermark(), logEnd));
        }
        long leaderStart = pd.logStartOffset();
        if (leaderStart > r.logStartOffset() && leaderStart <= logEnd) {
            r.maybeIncrementLogStartOffset(leaderStart);
        }
    }

    private void refused(FollowedPartition p, FollowerAppendException e, long now) {
        switch (e.problem()) {
            case OFFSET_MISMATCH -> {
                // Fetch again from our log end; a second refusal in a row is not going away by itself.
                if (++p.offsetMismatches > 1) {
                    backOff(p, now);
                }
                LOG.warn("{}: {} refused batches of broker {}: {}", name, p.topicPartition, sourceBroker, e.getMessage());
            }
            case CORRUPT_BATCH, EPOCH_DECREASED -> {
                LOG.warn("{}: {} refused batches of broker {}: {}; fetching again in {} ms", name, p.topicPartition,
                        sourceBroker, e.getMessage(), config.replicaFetchBackoffMs());
                backOff(p, now);
            }
        }
    }

    private void truncate(FollowedPartition p, EpochEndOffset diverging, long now) throws IOException {
        LocalReplica r = p.replica;
        long endBefore = r.logEndOffset();
        OptionalInt epochBefore = r.latestEpoch();
        FollowerTruncation.Decision d = FollowerTruncation.truncate(r, diverging);
        LOG.info("{}: {} diverged from broker {} (leader epoch {} ends at {}); truncated {} -> {}{}", name,
                p.topicPartition, sourceBroker, diverging.epoch(), diverging.endOffset(), endBefore,
                r.logEndOffset(), d.complete() ? "" : ", asking about an earlier epoch");
        if (r.logEndOffset() == endBefore && r.latestEpoch().equals(epochBefore)) {
            if (++p.idleTruncations > 1) {
                LOG.warn("{}: truncating {} for epoch {} changed nothing twice; backing off", name, p.topicPartition,
                        diverging.epoch());
                backOff(p, now);
            }
        } else {
            p.idleTruncations = 0;
        }
    }

    private void handleOutOfRange(FollowedPartition p, FetchRequests.PartitionFetch sent,
            FetchResponseData.PartitionData pd, long now) throws IOException {
        long leaderStart = pd.logStartOffset();
        if (leaderStart >= 0 && (sent.fetchOffset() < leaderStart || sent.lastFetchedEpoch() >= 0)) {
            // Below the leader's log start, or (with a last fetched epoch) none of our epochs is known
            // to the leader any more: nothing here can be matched with its log. Start over at its start.
            LOG.info("{}: {} at {} is out of broker {}'s range (log start {}); starting the log over there", name,
                    p.topicPartition, sent.fetchOffset(), sourceBroker, leaderStart);
            p.replica.truncateFullyAndStartAt(leaderStart);
            return;
        }
        LOG.warn("{}: {} at {} is out of broker {}'s range (log start {}, high watermark {}); backing off", name,
                p.topicPartition, sent.fetchOffset(), sourceBroker, leaderStart, pd.highWatermark());
        backOff(p, now);
    }

    private void backOff(FollowedPartition p, long now) {
        p.notBeforeMs = now + config.replicaFetchBackoffMs();
    }

    /** The whole batches at the front of {@code records}; null when not even the first is whole. */
    static ByteBuffer wholeBatches(ByteBuffer records) {
        ByteBuffer b = records.duplicate();
        int start = b.position();
        int pos = start;
        int limit = b.limit();
        while (pos + BATCH_HEADER <= limit) {
            int size = BATCH_HEADER + b.getInt(pos + 8);
            if (size <= BATCH_HEADER || pos + size > limit) {
                break;
            }
            pos += size;
        }
        if (pos == start) {
            return null;
        }
        b.limit(pos);
        return b.slice();
    }

    private LeaderChannel channel() throws IOException {
        LeaderChannel c = channel;
        if (c == null) {
            c = channels.connect(endpoint(), name, config.replicaSocketTimeoutMs());
            channel = c;
            if (!running) {
                c.close();
            }
        }
        return c;
    }

    private void closeChannel() {
        LeaderChannel c = channel;
        channel = null;
        if (c != null) {
            c.close();
        }
    }

    /** The leader's listener for replication: inter.broker.listener.name's, else PLAINTEXT, else its first. */
    private BrokerRegistration.Endpoint endpoint() throws IOException {
        for (BrokerRegistration b : host.cluster().brokers()) {
            if (b.brokerId() != sourceBroker) {
                continue;
            }
            if (config.interBrokerListenerName().isPresent()) {
                String listener = config.interBrokerListenerName().get();
                return b.endpoint(listener).orElseThrow(() -> new IOException("broker " + sourceBroker
                        + " advertises no listener " + listener + " (inter.broker.listener.name); it has "
                        + b.endpoints()));
            }
            return b.endpoint("PLAINTEXT").orElse(b.endpoints().get(0));
        }
        throw new IOException("broker " + sourceBroker + " is not registered (not live)");
    }

    @Override
    public String toString() {
        return name;
    }
}
