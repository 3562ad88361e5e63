package io.samsa.api.replication;

import java.util.Optional;

import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.storage.EpochEndOffset;

/**
 * Whether a follower's fetch may read, decided before it does.
 *
 * @param error          {@link Errors#NONE} to read; otherwise the error to answer
 *                       ({@link Errors#NOT_LEADER_OR_FOLLOWER} for a broker that holds no replica
 *                       or a stale broker epoch, {@link Errors#OFFSET_OUT_OF_RANGE})
 * @param divergingEpoch with {@link Errors#NONE}: the follower's log diverged from the leader's;
 *                       answer no records and this epoch's end, where it must truncate (KIP-320)
 */
public record FollowerFetchCheck(Errors error, Optional<EpochEndOffset> divergingEpoch) {

    public static final FollowerFetchCheck READ = new FollowerFetchCheck(Errors.NONE, Optional.empty());

    public static FollowerFetchCheck refuse(Errors error) {
        return new FollowerFetchCheck(error, Optional.empty());
    }

    public static FollowerFetchCheck diverged(EpochEndOffset end) {
        return new FollowerFetchCheck(Errors.NONE, Optional.of(end));
    }

    /** Whether the fetch reads records. */
    public boolean reads() {
        return error == Errors.NONE && divergingEpoch.isEmpty();
    }
}
