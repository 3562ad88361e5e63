package io.samsa.api.storage;

/** A record timestamp and the offset it belongs to, as the time index and ListOffsets speak of them. */
public record TimestampOffset(long timestamp, long offset, int leaderEpoch) {
}
