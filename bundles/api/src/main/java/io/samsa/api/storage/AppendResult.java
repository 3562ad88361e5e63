package io.samsa.api.storage;

/**
 * What one append wrote.
 *
 * @param firstOffset      offset of the first record appended
 * @param lastOffset       offset of the last record appended
 * @param maxTimestamp     the largest record timestamp among the appended batches
 * @param offsetOfMaxTimestamp offset of the record carrying {@code maxTimestamp}
 * @param bytes            bytes appended
 */
public record AppendResult(long firstOffset, long lastOffset, long maxTimestamp, long offsetOfMaxTimestamp, int bytes) {
}
