package io.samsa.api.broker;

import org.apache.kafka.common.protocol.Errors;

/**
 * The answer to OffsetForLeaderEpoch for one partition: the largest epoch at or below the one
 * asked for and where it ends; both -1 when unknown or on an error.
 */
public record EpochLookup(Errors error, int leaderEpoch, long endOffset) {
    public static EpochLookup error(Errors error) {
        return new EpochLookup(error, -1, -1);
    }
}
