package io.samsa.replication;

import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.replication.LocalReplica;

/**
 * A partition this broker follows, as one fetcher holds it. The fetcher handles its response
 * under {@link #lock}, so whoever takes it away (the partition becoming leader here, or
 * following another broker) waits for an append in progress and then knows no more follower
 * data reaches the log.
 */
final class FollowedPartition {

    enum Mode {
        FETCHING,
        /** The leader refused us as a follower of this epoch: wait for newer metadata. */
        PARKED
    }

    final TopicPartition topicPartition;
    final LocalReplica replica;
    final ReentrantLock lock = new ReentrantLock();

    // written under lock, read by the fetcher before it builds a request
    volatile int leaderEpoch;
    volatile Mode mode = Mode.FETCHING;
    volatile long notBeforeMs;
    /** Set under lock when taken away; the fetcher then drops its response. */
    volatile boolean removed;
    /** Truncations in a row that changed nothing: a loop guard. */
    int idleTruncations;
    /** Appends refused for offsets in a row. */
    int offsetMismatches;

    FollowedPartition(LocalReplica replica, int leaderEpoch) {
        this.topicPartition = replica.topicPartition();
        this.replica = replica;
        this.leaderEpoch = leaderEpoch;
    }

    boolean fetchable(long nowMs) {
        return !removed && mode == Mode.FETCHING && notBeforeMs <= nowMs;
    }

    @Override
    public String toString() {
        return topicPartition + " (leader epoch " + leaderEpoch + ", " + mode + ")";
    }
}
