package io.samsa.replication;

import java.io.IOException;
import java.util.OptionalInt;

import io.samsa.api.replication.LocalReplica;
import io.samsa.api.storage.EpochEndOffset;

/**
 * Where a follower cuts its log when its leader answers that it diverged (KIP-279): the leader
 * names the largest epoch it has at or below the follower's last fetched one, and where that
 * epoch ends in its log.
 * <ul>
 * <li>The follower has that epoch too: the logs agree up to where the shorter of the two ends it.</li>
 * <li>It has not: it cuts to the end of its largest epoch below it, and fetches again; the
 *     leader answers about that lower epoch, until the two agree.</li>
 * <li>It has no epoch at or below it at all: to the leader's end (what Kafka does for logs
 *     written before leader epochs were kept).</li>
 * </ul>
 * Never to the high watermark: the high watermark a follower knows can be ahead of what a new
 * leader has, and behind what it committed (KIP-101).
 */
final class FollowerTruncation {

    /**
     * @param offset   where to truncate (never above the log end)
     * @param complete false when the follower must fetch again to learn about a lower epoch
     */
    record Decision(long offset, boolean complete) {
    }

    private FollowerTruncation() {
    }

    /**
     * @param diverging the leader's answer
     * @param local     this log's {@code endOffsetForEpoch(diverging.epoch())}
     * @param logEnd    this log's end offset
     */
    static Decision decide(EpochEndOffset diverging, EpochEndOffset local, long logEnd) {
        if (diverging.epoch() < 0 || diverging.endOffset() < 0) {
            throw new IllegalArgumentException("A diverging epoch names an epoch and its end offset, not " + diverging);
        }
        if (local.epoch() < 0 || local.endOffset() < 0) {
            return new Decision(Math.min(diverging.endOffset(), logEnd), true);
        }
        if (local.epoch() == diverging.epoch()) {
            return new Decision(Math.min(Math.min(diverging.endOffset(), local.endOffset()), logEnd), true);
        }
        return new Decision(Math.min(local.endOffset(), logEnd), false);
    }

    /** This log's end of {@code epoch}: its latest epoch ends at the log end, one beyond it too. */
    static EpochEndOffset localEnd(LocalReplica replica, int epoch) {
        OptionalInt latest = replica.latestEpoch();
        if (latest.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (epoch >= latest.getAsInt()) {
            return new EpochEndOffset(latest.getAsInt(), replica.logEndOffset());
        }
        return replica.endOffsetForEpoch(epoch);
    }

    /**
     * Truncates {@code replica} as the leader's answer says. Always truncates, even at the log
     * end: an epoch this broker started as leader with no record of it must go (the storage
     * API's truncateTo removes it), or the follower would keep naming it.
     */
    static Decision truncate(LocalReplica replica, EpochEndOffset diverging) throws IOException {
        Decision d = decide(diverging, localEnd(replica, diverging.epoch()), replica.logEndOffset());
        replica.truncateTo(d.offset());
        return d;
    }
}
