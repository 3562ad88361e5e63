package io.samsa.api.broker;

import java.util.Optional;

import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.LogSlice;

/**
 * What one partition returned to a fetch.
 *
 * @param records        whole record batches, possibly empty; never null
 * @param divergingEpoch for a follower whose log diverged from the leader's: the largest epoch
 *                       both know and where it ends in the leader's log, where the follower
 *                       truncates (Fetch v12+ {@code DivergingEpoch}); no records come with it
 */
public record FetchResult(Errors error, long highWatermark, long lastStableOffset, long logStartOffset,
        LogSlice records, Optional<EpochEndOffset> divergingEpoch) {

    public FetchResult(Errors error, long highWatermark, long lastStableOffset, long logStartOffset,
            LogSlice records) {
        this(error, highWatermark, lastStableOffset, logStartOffset, records, Optional.empty());
    }

    public static FetchResult error(Errors error) {
        return new FetchResult(error, -1, -1, -1, LogSlice.EMPTY);
    }
}
