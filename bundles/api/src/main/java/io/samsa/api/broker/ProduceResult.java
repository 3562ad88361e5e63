package io.samsa.api.broker;

import org.apache.kafka.common.protocol.Errors;

/**
 * The outcome of appending to one partition.
 *
 * @param error          NONE, or why nothing was appended
 * @param message        detail for the error, or null
 * @param baseOffset     offset of the first appended record (or of the duplicate batch)
 * @param logAppendTime  -1 unless the topic uses LogAppendTime
 * @param logStartOffset the partition's log start offset
 */
public record ProduceResult(Errors error, String message, long baseOffset, long logAppendTime, long logStartOffset) {
    public static ProduceResult error(Errors error, String message) {
        return new ProduceResult(error, message, -1, -1, -1);
    }
}
