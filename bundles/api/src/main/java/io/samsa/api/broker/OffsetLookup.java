package io.samsa.api.broker;

import org.apache.kafka.common.protocol.Errors;

/** The answer to ListOffsets or DeleteRecords for one partition; offset -1 when not found. */
public record OffsetLookup(Errors error, long timestamp, long offset, int leaderEpoch) {
    public static OffsetLookup error(Errors error) {
        return new OffsetLookup(error, -1, -1, -1);
    }
}
