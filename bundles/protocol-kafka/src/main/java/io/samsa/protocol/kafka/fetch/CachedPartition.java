package io.samsa.protocol.kafka.fetch;

import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A partition in a fetch session: the client's last fetch parameters, and what the last
 * response told it, so that an incremental response can leave out partitions with no news.
 */
final class CachedPartition {

    final PartitionKey key;
    /** The topic name; null when a topic id is not (or no longer) known. */
    String topic;
    long fetchOffset;
    int maxBytes;
    int currentLeaderEpoch;
    /** A follower's epoch of its last batch, -1 when not sent (Fetch v12+). */
    int lastFetchedEpoch;
    /** A follower's log start offset, -1 when not sent. */
    long logStartOffset;
    private long sentHighWatermark = -1;
    private long sentLastStableOffset = -1;
    private long sentLogStartOffset = -1;

    CachedPartition(PartitionKey key, String topic, long fetchOffset, int maxBytes, int currentLeaderEpoch) {
        this(key, topic, fetchOffset, maxBytes, currentLeaderEpoch, -1, -1);
    }

    CachedPartition(PartitionKey key, String topic, long fetchOffset, int maxBytes, int currentLeaderEpoch,
            int lastFetchedEpoch, long logStartOffset) {
        this.key = key;
        this.topic = topic;
        this.fetchOffset = fetchOffset;
        this.maxBytes = maxBytes;
        this.currentLeaderEpoch = currentLeaderEpoch;
        this.lastFetchedEpoch = lastFetchedEpoch;
        this.logStartOffset = logStartOffset;
    }

    void updateRequest(CachedPartition request) {
        topic = request.topic;
        fetchOffset = request.fetchOffset;
        maxBytes = request.maxBytes;
        currentLeaderEpoch = request.currentLeaderEpoch;
        lastFetchedEpoch = request.lastFetchedEpoch;
        logStartOffset = request.logStartOffset;
    }

    /**
     * Records what a response says about this partition.
     *
     * @return true when the client must hear about it: new records, an error, a diverging
     *         epoch, or a changed high watermark, last stable offset or log start offset
     */
    boolean recordResponse(FetchResponseData.PartitionData data, boolean hasRecords) {
        boolean news = hasRecords || data.divergingEpoch().epoch() >= 0;
        if (data.errorCode() != Errors.NONE.code()) {
            // Forget what was sent, so the partition is reported again once the error clears.
            sentHighWatermark = -1;
            return true;
        }
        if (data.highWatermark() != sentHighWatermark) {
            sentHighWatermark = data.highWatermark();
            news = true;
        }
        if (data.lastStableOffset() != sentLastStableOffset) {
            sentLastStableOffset = data.lastStableOffset();
            news = true;
        }
        if (data.logStartOffset() != sentLogStartOffset) {
            sentLogStartOffset = data.logStartOffset();
            news = true;
        }
        return news;
    }
}
