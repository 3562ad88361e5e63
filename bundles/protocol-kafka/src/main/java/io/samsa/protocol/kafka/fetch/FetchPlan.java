package io.samsa.protocol.kafka.fetch;

import java.util.LinkedHashMap;
import java.util.List;

import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * How one fetch request is served under KIP-227: the partitions to read and, once read, which
 * of them the response carries and under which session id.
 */
final class FetchPlan {

    enum Kind {
        /** The session could not be used; the response carries only the error. */
        ERROR,
        /** A full fetch without a session (epoch -1, or a session that just emptied). */
        SESSIONLESS,
        /** A full fetch that opens a session when the cache has room. */
        FULL,
        /** A fetch in an existing session: only partitions with news are answered. */
        INCREMENTAL
    }

    /** One partition to read, with its parameters as they were when the plan was made. */
    record Target(CachedPartition cached, String topic, long fetchOffset, int maxBytes, int currentLeaderEpoch,
            int lastFetchedEpoch, long logStartOffset) {
    }

    final Kind kind;
    final Errors error;
    final List<Target> targets;
    private final FetchSessionCache cache;
    private final FetchSession session;
    private final boolean privileged;
    private final boolean usesTopicIds;
    private final LinkedHashMap<PartitionKey, CachedPartition> requested;

    private FetchPlan(Kind kind, Errors error, List<Target> targets, FetchSessionCache cache, FetchSession session,
            boolean privileged, boolean usesTopicIds, LinkedHashMap<PartitionKey, CachedPartition> requested) {
        this.kind = kind;
        this.error = error;
        this.targets = targets;
        this.cache = cache;
        this.session = session;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.requested = requested;
    }

    static FetchPlan error(Errors error) {
        return new FetchPlan(Kind.ERROR, error, List.of(), null, null, false, false, null);
    }

    static FetchPlan sessionless(List<Target> targets) {
        return new FetchPlan(Kind.SESSIONLESS, Errors.NONE, targets, null, null, false, false, null);
    }

    static FetchPlan full(List<Target> targets, FetchSessionCache cache, boolean privileged, boolean usesTopicIds,
            LinkedHashMap<PartitionKey, CachedPartition> requested) {
        return new FetchPlan(Kind.FULL, Errors.NONE, targets, cache, null, privileged, usesTopicIds, requested);
    }

    static FetchPlan incremental(List<Target> targets, FetchSession session) {
        return new FetchPlan(Kind.INCREMENTAL, Errors.NONE, targets, null, session, false, false, null);
    }

    /**
     * Settles the response: drops from {@code answers} (parallel to {@link #targets}, null where
     * nothing is to be sent) the partitions an incremental response leaves out, and opens the
     * session of a full fetch.
     *
     * @return the session id for the response, {@link FetchMetadata#INVALID_SESSION_ID} if none
     */
    int complete(List<FetchResponseData.PartitionData> answers, boolean[] hasRecords) {
        switch (kind) {
            case FULL:
                for (int i = 0; i < targets.size(); i++) {
                    targets.get(i).cached().recordResponse(answers.get(i), hasRecords[i]);
                }
                return cache.open(privileged, usesTopicIds, requested);
            case INCREMENTAL:
                synchronized (session) {
                    for (int i = 0; i < targets.size(); i++) {
                        CachedPartition cached = targets.get(i).cached();
                        if (!cached.recordResponse(answers.get(i), hasRecords[i])) {
                            answers.set(i, null);
                        } else if (hasRecords[i] && session.partitions.remove(cached.key) != null) {
                            session.partitions.put(cached.key, cached);
                        }
                    }
                }
                return session.id;
            default:
                return FetchMetadata.INVALID_SESSION_ID;
        }
    }
}
