package io.samsa.api.storage;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;

/**
 * A follower's append ({@link PartitionLog#appendWithOffsets}) refused whole: nothing of it was
 * written. Says which partition, at which offset, and what kind of problem, so that the
 * replica fetcher can tell bytes damaged in transit (fetch again) from a log that diverged from
 * its leader's (truncate first).
 *
 * @since 1.4
 */
public class FollowerAppendException extends InvalidRecordException {

    private static final long serialVersionUID = 1L;

    /** What was wrong with the refused batch. */
    public enum Problem {
        /** Framing or CRC-32C: the bytes are not the batch the leader wrote. */
        CORRUPT_BATCH,
        /** Its offsets do not continue the log, or overlap the batch before it. */
        OFFSET_MISMATCH,
        /** Its leader epoch is below one the log already holds. */
        EPOCH_DECREASED
    }

    private final TopicPartition topicPartition;
    private final long offset;
    private final Problem problem;

    /**
     * @param offset the base offset of the refused batch, or where it was expected when its
     *               header cannot be read
     */
    public FollowerAppendException(TopicPartition topicPartition, long offset, Problem problem, String message) {
        super(message);
        this.topicPartition = topicPartition;
        this.offset = offset;
        this.problem = problem;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public long offset() {
        return offset;
    }

    public Problem problem() {
        return problem;
    }
}
