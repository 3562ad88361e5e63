package io.samsa.api.broker;

import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.storage.LogSlice;

/**
 * What one partition returned to a fetch.
 *
 * @param records whole record batches, possibly empty; never null
 */
public record FetchResult(Errors error, long highWatermark, long lastStableOffset, long logStartOffset,
        LogSlice records) {
    public static FetchResult error(Errors error) {
        return new FetchResult(error, -1, -1, -1, LogSlice.EMPTY);
    }
}
