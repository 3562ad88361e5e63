package io.samsa.api.broker;

/**
 * Where to read one partition.
 *
 * @param fetchOffset        first offset wanted
 * @param maxBytes           per-partition size limit
 * @param currentLeaderEpoch the epoch the client believes current, or -1
 */
public record FetchPosition(long fetchOffset, int maxBytes, int currentLeaderEpoch) {
}
