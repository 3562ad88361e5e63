package io.samsa.api.broker;

/**
 * Where to read one partition.
 *
 * @param fetchOffset        first offset wanted
 * @param maxBytes           per-partition size limit
 * @param currentLeaderEpoch the epoch the client believes current, or -1
 * @param lastFetchedEpoch   a follower's: the epoch of the last batch it holds, or -1 (Fetch v12+)
 * @param logStartOffset     a follower's log start offset, or -1
 */
public record FetchPosition(long fetchOffset, int maxBytes, int currentLeaderEpoch, int lastFetchedEpoch,
        long logStartOffset) {

    /** A consumer's position: no last fetched epoch, no log start offset. */
    public FetchPosition(long fetchOffset, int maxBytes, int currentLeaderEpoch) {
        this(fetchOffset, maxBytes, currentLeaderEpoch, -1, -1);
    }
}
