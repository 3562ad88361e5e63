package io.samsa.api.storage;

/**
 * Where a leader epoch ends in a log, as OffsetForLeaderEpoch answers: the largest epoch at or
 * below the one asked for, and the offset after its last record (the start of the next epoch, or
 * the log end offset for the latest epoch).
 *
 * @param epoch     the epoch found, -1 when none
 * @param endOffset its end offset, -1 when none
 */
public record EpochEndOffset(int epoch, long endOffset) {

    /** No epoch at or below the one asked for is known (or the one asked for is beyond the latest). */
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1);
}
