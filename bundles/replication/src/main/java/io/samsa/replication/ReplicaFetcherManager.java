package io.samsa.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.replication.LocalReplica;
import io.samsa.api.replication.ReplicaHost;

/**
 * Which fetcher copies which followed partition: {@code num.replica.fetchers} fetchers per
 * source broker, a partition to the one its hash picks (Kafka's layout). Threads are bounded by
 * brokers times that setting, whatever the number of partitions; a fetcher left with nothing to
 * fetch stops.
 */
final class ReplicaFetcherManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private final ReplicaHost host;
    private final ReplicationConfig config;
    private final LongSupplier clock;
    private final LeaderChannel.Factory channels;
    private final boolean startThreads;
    // guarded by this
    private final Map<Integer, ReplicaFetcher[]> bySource = new HashMap<>();
    private final Map<TopicPartition, ReplicaFetcher> fetcherOf = new HashMap<>();
    private boolean closed;

    /** @param startThreads false in unit tests, which drive the fetchers themselves */
    ReplicaFetcherManager(ReplicaHost host, ReplicationConfig config, LongSupplier clock,
            LeaderChannel.Factory channels, boolean startThreads) {
        this.host = host;
        this.config = config;
        this.clock = clock;
        this.channels = channels;
        this.startThreads = startThreads;
    }

    /**
     * Follows {@code leader} in {@code leaderEpoch} from the replica's log end. Following the same
     * leader again resumes a parked partition; an older epoch than the one followed is ignored.
     */
    synchronized void follow(LocalReplica replica, int leader, int leaderEpoch) {
        if (closed) {
            return;
        }
        TopicPartition tp = replica.topicPartition();
        ReplicaFetcher current = fetcherOf.get(tp);
        if (current != null) {
            FollowedPartition p = current.partition(tp);
            if (current.sourceBroker() == leader && p != null && p.replica == replica) {
                if (leaderEpoch >= p.leaderEpoch) {
                    current.resume(p, leaderEpoch);
                }
                return;
            }
            unfollowLocked(tp);
        }
        ReplicaFetcher f = fetcherFor(leader, tp);
        f.add(new FollowedPartition(replica, leaderEpoch));
        fetcherOf.put(tp, f);
        LOG.info("{} follows broker {} in leader epoch {} from offset {} ({})", tp, leader, leaderEpoch,
                replica.logEndOffset(), f.name());
    }

    /** Stops following; returns once no more data of the old leader can reach the log. */
    synchronized void unfollow(TopicPartition tp) {
        unfollowLocked(tp);
    }

    private void unfollowLocked(TopicPartition tp) {
        ReplicaFetcher f = fetcherOf.remove(tp);
        if (f == null) {
            return;
        }
        FollowedPartition p = f.partition(tp);
        if (p != null) {
            f.remove(p);
        }
        if (f.size() == 0) {
            f.shutdown();
            ReplicaFetcher[] all = bySource.get(f.sourceBroker());
            if (all != null) {
                for (int i = 0; i < all.length; i++) {
                    if (all[i] == f) {
                        all[i] = null;
                    }
                }
            }
        }
    }

    /** A fetcher gave the partition up (its replica failed). */
    synchronized void dropped(FollowedPartition p) {
        ReplicaFetcher f = fetcherOf.get(p.topicPartition);
        if (f != null && f.partition(p.topicPartition) == null) {
            fetcherOf.remove(p.topicPartition);
        }
    }

    private ReplicaFetcher fetcherFor(int leader, TopicPartition tp) {
        ReplicaFetcher[] all = bySource.computeIfAbsent(leader, l -> new ReplicaFetcher[config.numReplicaFetchers()]);
        int i = Math.floorMod(tp.hashCode(), all.length);
        if (all[i] == null) {
            String name = "samsa-replica-fetcher-" + host.brokerId() + "-" + leader + "-" + i;
            all[i] = new ReplicaFetcher(name, leader, host, config, clock, channels, this::dropped);
            if (startThreads) {
                all[i].start();
            }
        }
        return all[i];
    }

    /** The fetcher of {@code tp}, if it is followed. */
    synchronized ReplicaFetcher fetcherOf(TopicPartition tp) {
        return fetcherOf.get(tp);
    }

    /** Every live fetcher. */
    synchronized List<ReplicaFetcher> fetchers() {
        List<ReplicaFetcher> all = new ArrayList<>();
        for (ReplicaFetcher[] of : bySource.values()) {
            for (ReplicaFetcher f : of) {
                if (f != null) {
                    all.add(f);
                }
            }
        }
        return all;
    }

    @Override
    public void close() {
        List<ReplicaFetcher> all;
        synchronized (this) {
            closed = true;
            all = fetchers();
            bySource.clear();
            fetcherOf.clear();
        }
        for (ReplicaFetcher f : all) {
            f.shutdown();
        }
        for (ReplicaFetcher f : all) {
            Thread t = f.thread();
            if (t != null) {
                try {
                    t.join(config.replicaSocketTimeoutMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
