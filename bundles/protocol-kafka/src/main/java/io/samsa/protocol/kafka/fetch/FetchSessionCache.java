package io.samsa.protocol.kafka.fetch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * The bounded cache of incremental fetch sessions (KIP-227). When full, a new session takes the
 * place of one unused for longer than the eviction time, else of a smaller one old enough to
 * be evicted; follower sessions may always displace consumer sessions.
 */
final class FetchSessionCache {

    /** Kafka's {@code max.incremental.fetch.session.cache.slots}. */
    static final int DEFAULT_MAX_SESSIONS = 1000;
    /** Kafka's {@code min.incremental.fetch.session.eviction.ms}. */
    static final long DEFAULT_EVICTION_MS = 120_000;

    private final int maxSessions;
    private final long evictionMs;
    private final LongSupplier clock;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();

    FetchSessionCache(int maxSessions, long evictionMs, LongSupplier clock) {
        this.maxSessions = maxSessions;
        this.evictionMs = evictionMs;
        this.clock = clock;
    }

    synchronized int size() {
        return sessions.size();
    }

    synchronized FetchSession get(int id) {
        return sessions.get(id);
    }

    /**
     * Decides how to serve a fetch request and applies its changes to the session.
     *
     * @param requested  the partitions in the request, in request order
     * @param forgotten  partitions to drop from the session
     * @param nameOfId   resolves topic ids (null when unknown), for sessions by id
     */
    FetchPlan plan(int sessionId, int epoch, boolean usesTopicIds, boolean privileged,
            LinkedHashMap<PartitionKey, CachedPartition> requested, List<PartitionKey> forgotten,
            Function<Uuid, String> nameOfId) {
        if (epoch == FetchMetadata.INITIAL_EPOCH || epoch == FetchMetadata.FINAL_EPOCH) {
            if (sessionId != FetchMetadata.INVALID_SESSION_ID) {
                remove(sessionId);
            }
            List<FetchPlan.Target> targets = targets(requested.values());
            return epoch == FetchMetadata.FINAL_EPOCH ? FetchPlan.sessionless(targets)
                    : FetchPlan.full(targets, this, privileged, usesTopicIds, requested);
        }
        FetchSession session = get(sessionId);
        if (session == null) {
            return FetchPlan.error(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        synchronized (session) {
            if (session.epoch != epoch) {
                return FetchPlan.error(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            if (session.usesTopicIds != usesTopicIds) {
                return FetchPlan.error(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
            }
            for (CachedPartition partition : requested.values()) {
                CachedPartition cached = session.partitions.get(partition.key);
                if (cached == null) {
                    session.partitions.put(partition.key, partition);
                } else {
                    cached.updateRequest(partition);
                }
            }
            forgotten.forEach(session.partitions::remove);
            if (session.partitions.isEmpty()) {
                remove(session.id);
                return FetchPlan.sessionless(targets(requested.values()));
            }
            session.epoch = FetchMetadata.nextEpoch(session.epoch);
            touch(session);
            if (usesTopicIds) {
                // Ids outlive names: a topic deleted since the last fetch must not be read under an old name.
                session.partitions.values().forEach(p -> p.topic = nameOfId.apply(p.key.topicId()));
            }
            return FetchPlan.incremental(targets(session.partitions.values()), session);
        }
    }

    /** Opens a session over {@code partitions}; returns its id, or 0 when there is no room. */
    synchronized int open(boolean privileged, boolean usesTopicIds,
            LinkedHashMap<PartitionKey, CachedPartition> partitions) {
        long now = clock.getAsLong();
        if (sessions.size() >= maxSessions && !evictFor(privileged, partitions.size(), now)) {
            return FetchMetadata.INVALID_SESSION_ID;
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        sessions.put(id, new FetchSession(id, privileged, usesTopicIds, now,
                FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH), partitions));
        return id;
    }

    synchronized boolean remove(int sessionId) {
        return sessions.remove(sessionId) != null;
    }

    private synchronized void touch(FetchSession session) {
        session.lastUsedMs = clock.getAsLong();
    }

    private boolean evictFor(boolean privileged, int size, long now) {
        FetchSession leastRecent = null;
        FetchSession weakest = null;
        for (FetchSession session : sessions.values()) {
            if (leastRecent == null || session.lastUsedMs < leastRecent.lastUsedMs) {
                leastRecent = session;
            }
            boolean evictable = now - session.createdMs > evictionMs || (privileged && !session.privileged);
            if (evictable && (weakest == null || weaker(session, weakest))) {
                weakest = session;
            }
        }
        if (leastRecent != null && now - leastRecent.lastUsedMs > evictionMs) {
            sessions.remove(leastRecent.id);
            return true;
        }
        if (weakest != null && ((privileged && !weakest.privileged) || size > weakest.size())) {
            sessions.remove(weakest.id);
            return true;
        }
        return false;
    }

    private static boolean weaker(FetchSession a, FetchSession b) {
        if (a.privileged != b.privileged) {
            return !a.privileged;
        }
        return a.size() < b.size();
    }

    private static List<FetchPlan.Target> targets(Iterable<CachedPartition> partitions) {
        List<FetchPlan.Target> targets = new ArrayList<>();
        for (CachedPartition p : partitions) {
            targets.add(new FetchPlan.Target(p, p.topic, p.fetchOffset, p.maxBytes, p.currentLeaderEpoch,
                    p.lastFetchedEpoch, p.logStartOffset));
        }
        return targets;
    }
}
