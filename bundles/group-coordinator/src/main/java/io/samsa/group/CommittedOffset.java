package io.samsa.group;

/**
 * An offset committed for one partition, as kept in memory and in {@code __consumer_offsets}.
 *
 * @param offset          the committed position
 * @param leaderEpoch     the leader epoch of the committed record, or -1
 * @param metadata        client metadata, never null
 * @param commitTimestamp when the coordinator accepted the commit
 * @param expireTimestamp an explicit expiry from an old client's retention time, or -1
 * @param logOffset       where the commit record sits in {@code __consumer_offsets}: of two
 *                        commits for a partition, the later record wins
 */
record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp, long expireTimestamp,
        long logOffset) {

    CommittedOffset withLogOffset(long newLogOffset) {
        return new CommittedOffset(offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp, newLogOffset);
    }
}
