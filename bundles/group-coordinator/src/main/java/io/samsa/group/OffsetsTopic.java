package io.samsa.group;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;

/**
 * The {@code __consumer_offsets} topic: its creation, which partition holds a group, and which
 * of its partitions this broker coordinates. A partition this broker leads is loaded before its
 * groups are served; one it no longer leads is unloaded. The cluster view has no leadership
 * events, so ownership is re-evaluated whenever a request touches a partition.
 */
final class OffsetsTopic {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopic.class);

    /** Starts and stops serving partitions; called under this object's transition lock. */
    interface Loading {
        void load(int partition, Ownership ownership);

        /** Drops the partition's groups; responses to parked requests go into {@code after}. */
        void unload(int partition, Deferred after);
    }

    /** This broker leads a partition at {@code leaderEpoch}; {@code loaded} once its groups are in memory. */
    static final class Ownership {
        final int partition;
        final int leaderEpoch;
        volatile boolean loaded;

        Ownership(int partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    private final ClusterView cluster;
    private final TopicAdmin admin;
    private final GroupConfig config;
    private final Loading loading;
    private final Map<Integer, Ownership> owned = new ConcurrentHashMap<>();
    private final Object transitions = new Object();
    private final AtomicBoolean creating = new AtomicBoolean();

    OffsetsTopic(ClusterView cluster, TopicAdmin admin, GroupConfig config, Loading loading) {
        this.cluster = cluster;
        this.admin = admin;
        this.config = config;
        this.loading = loading;
    }

    /** Kafka's rule: the non-negative group id hash modulo the topic's partition count. */
    int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % partitionCount();
    }

    int partitionCount() {
        TopicView t = cluster.topic(CoordinatorLog.TOPIC).orElse(null);
        return t == null || t.partitions().isEmpty() ? config.offsetsTopicNumPartitions() : t.partitions().size();
    }

    /** The leader of the group's partition, creating the topic on first need; -1 while there is none. */
    int coordinatorFor(String groupId) {
        TopicView topic = cluster.topic(CoordinatorLog.TOPIC).orElse(null);
        if (topic == null) {
            topic = create();
            if (topic == null) {
                return -1;
            }
        }
        int partition = partitionFor(groupId);
        PartitionView pv = partitionView(topic, partition);
        if (pv == null || pv.leader() < 0) {
            if (owned.containsKey(partition)) {
                check(partition);
            }
            return -1;
        }
        if (pv.leader() == cluster.localBrokerId() || owned.containsKey(partition)) {
            // Starts loading a newly led partition, or unloads one led elsewhere now.
            check(partition);
        }
        return pv.leader();
    }

    private TopicView create() {
        if (creating.compareAndSet(false, true)) {
            try {
                int brokers = Math.max(1, cluster.brokers().size());
                short replication = (short) Math.max(1, Math.min(config.offsetsTopicReplicationFactor(), brokers));
                if (replication < config.offsetsTopicReplicationFactor()) {
                    LOG.warn("Creating {} with replication factor {}, not offsets.topic.replication.factor={}: only {}"
                            + " broker(s) are live. Committed offsets survive the loss of a broker only with more"
                            + " replicas; add them later with kafka-reassign-partitions.sh", CoordinatorLog.TOPIC,
                            replication, config.offsetsTopicReplicationFactor(), brokers);
                }
                ApiError e = admin.createTopic(CoordinatorLog.TOPIC, config.offsetsTopicNumPartitions(), replication,
                        Map.of(), Map.of("cleanup.policy", "compact", "segment.bytes",
                                String.valueOf(config.offsetsTopicSegmentBytes())), false);
                if (e.isFailure() && !e.is(Errors.TOPIC_ALREADY_EXISTS)) {
                    LOG.warn("Could not create {}: {}", CoordinatorLog.TOPIC, e.messageWithFallback());
                } else if (e.isSuccess()) {
                    LOG.info("Created {} with {} partitions and replication factor {}", CoordinatorLog.TOPIC,
                            config.offsetsTopicNumPartitions(), replication);
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not create {}", CoordinatorLog.TOPIC, e);
            } finally {
                creating.set(false);
            }
        }
        return cluster.topic(CoordinatorLog.TOPIC).orElse(null);
    }

    /**
     * Whether this broker serves {@code partition} now: NONE, COORDINATOR_LOAD_IN_PROGRESS (a load
     * is started if needed) or NOT_COORDINATOR.
     */
    Errors check(int partition) {
        TopicView topic = cluster.topic(CoordinatorLog.TOPIC).orElse(null);
        PartitionView pv = topic == null ? null : partitionView(topic, partition);
        Ownership current = owned.get(partition);
        if (pv == null || pv.leader() != cluster.localBrokerId()) {
            if (current != null) {
                Deferred after = new Deferred();
                synchronized (transitions) {
                    if (owned.remove(partition, current)) {
                        LOG.info("No longer coordinating {}-{}", CoordinatorLog.TOPIC, partition);
                        loading.unload(partition, after);
                    }
                }
                after.run();
            }
            return Errors.NOT_COORDINATOR;
        }
        if (current != null && current.leaderEpoch == pv.leaderEpoch()) {
            return current.loaded ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
        }
        Deferred after = new Deferred();
        Ownership fresh;
        synchronized (transitions) {
            Ownership now = owned.get(partition);
            if (now != null && now.leaderEpoch == pv.leaderEpoch()) {
                return now.loaded ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
            }
            if (now != null) {
                loading.unload(partition, after);
            }
            fresh = new Ownership(partition, pv.leaderEpoch());
            owned.put(partition, fresh);
        }
        after.run();
        LOG.info("Loading groups of {}-{} (leader epoch {})", CoordinatorLog.TOPIC, partition, pv.leaderEpoch());
        loading.load(partition, fresh);
        return Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** Re-evaluates every partition: starts loads of newly led ones, unloads lost ones. */
    void refreshAll() {
        TopicView topic = cluster.topic(CoordinatorLog.TOPIC).orElse(null);
        int count = topic == null ? 0 : topic.partitions().size();
        for (int p = 0; p < count; p++) {
            check(p);
        }
        for (Integer p : owned.keySet()) {
            if (p >= count) {
                check(p);
            }
        }
    }

    boolean anyLoading() {
        for (Ownership o : owned.values()) {
            if (!o.loaded) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code install} and marks the partition loaded, unless ownership moved on meanwhile.
     *
     * @return false when the load is stale and its result must be dropped
     */
    boolean completeLoad(Ownership ownership, Runnable install) {
        synchronized (transitions) {
            if (owned.get(ownership.partition) != ownership) {
                return false;
            }
            install.run();
            ownership.loaded = true;
            return true;
        }
    }

    /** Forgets a partition whose load failed, so that the next request retries it. */
    void abandonLoad(Ownership ownership) {
        Deferred after = new Deferred();
        synchronized (transitions) {
            if (owned.remove(ownership.partition, ownership)) {
                loading.unload(ownership.partition, after);
            }
        }
        after.run();
    }

    /** Unloads every partition (deactivation). */
    void unloadAll() {
        Deferred after = new Deferred();
        synchronized (transitions) {
            for (Integer p : owned.keySet()) {
                owned.remove(p);
                loading.unload(p, after);
            }
        }
        after.run();
    }

    private static PartitionView partitionView(TopicView topic, int partition) {
        if (partition < topic.partitions().size() && topic.partitions().get(partition).partition() == partition) {
            return topic.partitions().get(partition);
        }
        for (PartitionView pv : topic.partitions()) {
            if (pv.partition() == partition) {
                return pv;
            }
        }
        return null;
    }
}
