package io.samsa.replication;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;

/**
 * A follower's Fetch request, as Kafka's replica fetcher sends it: full (no incremental
 * session), read uncommitted, with the follower's broker epoch from v15 (KIP-903) and its last
 * fetched epoch from v12 (KIP-320), so the leader can tell it where its log diverged.
 */
final class FetchRequests {
    /** The newest Fetch version a follower sends. */
    static final short MAX_VERSION = 17;
    /** The oldest it can replicate with: v12 brings the last fetched epoch and the diverging epoch. */
    static final short MIN_VERSION = 12;
    /** From v13 topics are named by id. */
    static final short TOPIC_IDS_VERSION = 13;
    /** From v15 the replica is named in ReplicaState, with its broker epoch. */
    static final short REPLICA_STATE_VERSION = 15;

    /** What one partition asks for. */
    record PartitionFetch(TopicPartition topicPartition, Uuid topicId, long fetchOffset, int currentLeaderEpoch,
            int lastFetchedEpoch, long logStartOffset) {
    }

    private FetchRequests() {
    }

    /** The version to send to a leader that serves Fetch up to {@code leaderMax}; -1 when it cannot serve a follower. */
    static short version(short leaderMax) {
        short v = (short) Math.min(leaderMax, MAX_VERSION);
        return v < MIN_VERSION ? -1 : v;
    }

    /**
     * The version for these partitions: topic ids need v13, so a partition whose topic has none
     * (a topic created before ids) makes the whole request v12.
     */
    static short versionFor(short negotiated, List<PartitionFetch> partitions) {
        if (negotiated >= TOPIC_IDS_VERSION) {
            for (PartitionFetch p : partitions) {
                if (p.topicId() == null || Uuid.ZERO_UUID.equals(p.topicId())) {
                    return TOPIC_IDS_VERSION - 1;
                }
            }
        }
        return negotiated;
    }

    static FetchRequestData build(short version, int replicaId, long brokerEpoch, ReplicationConfig config,
            List<PartitionFetch> partitions) {
        FetchRequestData data = new FetchRequestData()
                .setMaxWaitMs(config.replicaFetchWaitMaxMs())
                .setMinBytes(config.replicaFetchMinBytes())
                .setMaxBytes(config.replicaFetchResponseMaxBytes())
                .setIsolationLevel(IsolationLevel.READ_UNCOMMITTED.id())
                .setSessionId(0)
                .setSessionEpoch(-1);
        if (version >= REPLICA_STATE_VERSION) {
            data.setReplicaId(-1);
            data.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId).setReplicaEpoch(brokerEpoch));
        } else {
            data.setReplicaId(replicaId);
        }
        Map<String, FetchRequestData.FetchTopic> topics = new LinkedHashMap<>();
        for (PartitionFetch p : partitions) {
            FetchRequestData.FetchTopic topic = topics.computeIfAbsent(p.topicPartition().topic(), name -> {
                FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setPartitions(new ArrayList<>());
                if (version >= TOPIC_IDS_VERSION) {
                    t.setTopicId(p.topicId());
                } else {
                    t.setTopic(name);
                }
                return t;
            });
            topic.partitions().add(new FetchRequestData.FetchPartition()
                    .setPartition(p.topicPartition().partition())
                    .setCurrentLeaderEpoch(p.currentLeaderEpoch())
                    .setFetchOffset(p.fetchOffset())
                    .setLastFetchedEpoch(p.lastFetchedEpoch())
                    .setLogStartOffset(p.logStartOffset())
                    .setPartitionMaxBytes(config.replicaFetchMaxBytes()));
        }
        data.setTopics(new ArrayList<>(topics.values()));
        return data;
    }
}
