package io.samsa.api.replication;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.protocol.Errors;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The leadership of one partition on this broker, from the moment the replication runtime made
 * it leader until it {@linkplain #active() stops}: what produce and follower fetches ask before
 * and tell after they touch the log. Every method is cheap and thread-safe; none blocks.
 */
@ProviderType
public interface LeaderReplica {

    int leaderEpoch();

    /** False once another leader was elected, this broker lost its session, or the partition went away. */
    boolean active();

    /** The in-sync replicas as the leader counts them now (may run ahead of the stored state). */
    List<Integer> isr();

    /**
     * Before a produce appends: {@link Errors#NONE} to go on, {@link Errors#NOT_LEADER_OR_FOLLOWER}
     * when this broker is no longer leader or may no longer be sure it is (its session lease ran
     * out), {@link Errors#NOT_ENOUGH_REPLICAS} for {@code acks=-1} while fewer replicas than
     * {@code min.insync.replicas} are in sync.
     */
    Errors checkAppend(short acks);

    /** After a successful append, under the partition's lock: the log end offset after it. */
    void appended(long logEndOffset);

    /**
     * Completes when the high watermark reaches {@code requiredOffset}, with
     * {@link Errors#NONE}, or {@link Errors#NOT_ENOUGH_REPLICAS_AFTER_APPEND} when the ISR shrank
     * below {@code min.insync.replicas} meanwhile, {@link Errors#NOT_LEADER_OR_FOLLOWER} when the
     * leadership ended, {@link Errors#REQUEST_TIMED_OUT} after {@code timeoutMs}.
     */
    CompletionStage<Errors> awaitCommit(long requiredOffset, int timeoutMs);

    /**
     * Before a follower's fetch reads the log: whether it may, and where its log diverged.
     *
     * @param replicaEpoch     the follower's broker epoch, -1 when its request did not carry one
     * @param lastFetchedEpoch the epoch of the last batch the follower has, -1 when unknown
     */
    FollowerFetchCheck checkFollowerFetch(int replicaId, long replicaEpoch, long fetchOffset, int lastFetchedEpoch);

    /**
     * After a follower's fetch read the log: the follower has everything below {@code fetchOffset}.
     *
     * @param leaderLogEndOffset the leader's log end offset when the read began
     */
    void followerFetched(int replicaId, long replicaEpoch, long fetchOffset, long leaderLogEndOffset, long nowMs);
}
