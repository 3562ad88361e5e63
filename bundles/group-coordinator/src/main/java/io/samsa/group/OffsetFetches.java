package io.samsa.group;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.Caller;
import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.TopicView;

/**
 * OffsetFetch: committed offsets of one group (versions before 8) or of several (8+); a null
 * topic list asks for every committed offset, a partition without one gets offset -1.
 */
final class OffsetFetches {
    /** A committed offset, or the answer for a partition without one. */
    private record Answer(int partition, long offset, int leaderEpoch, String metadata, Errors error) {
    }

    /** The answers for one topic; {@code topicId} is set when the request named the topic by id. */
    private record TopicAnswer(String name, Uuid topicId, List<Answer> partitions) {
    }

    private final Groups groups;
    private final OffsetsTopic offsetsTopic;
    private final ClusterView cluster;

    OffsetFetches(Groups groups, OffsetsTopic offsetsTopic, ClusterView cluster) {
        this.groups = groups;
        this.offsetsTopic = offsetsTopic;
        this.cluster = cluster;
    }

    OffsetFetchResponseData fetch(Caller caller, OffsetFetchRequestData request) {
        short version = caller.apiVersion();
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version >= 8 || !request.groups().isEmpty()) {
            for (OffsetFetchRequestData.OffsetFetchRequestGroup rg : request.groups()) {
                List<TopicRequest> topics = null;
                if (rg.topics() != null) {
                    topics = new ArrayList<>();
                    for (OffsetFetchRequestData.OffsetFetchRequestTopics t : rg.topics()) {
                        topics.add(new TopicRequest(t.name(), t.topicId(), t.partitionIndexes()));
                    }
                }
                response.groups().add(groupResponse(rg.groupId(), topics, version));
            }
            return response;
        }
        List<TopicRequest> topics = null;
        if (request.topics() != null) {
            topics = new ArrayList<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics()) {
                topics.add(new TopicRequest(t.name(), null, t.partitionIndexes()));
            }
        }
        Errors[] error = new Errors[1];
        List<TopicAnswer> answers = answer(request.groupId(), topics, error);
        for (TopicAnswer ta : answers) {
            OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic()
                    .setName(ta.name);
            for (Answer a : ta.partitions) {
                // Before version 2 there is no top-level error: each partition carries it.
                Errors e = version < 2 && error[0] != Errors.NONE ? error[0] : a.error;
                rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(a.partition).setCommittedOffset(a.offset)
                        .setCommittedLeaderEpoch(a.leaderEpoch).setMetadata(a.metadata).setErrorCode(e.code()));
            }
            response.topics().add(rt);
        }
        if (version >= 2) {
            response.setErrorCode(error[0].code());
        }
        return response;
    }

    private OffsetFetchResponseData.OffsetFetchResponseGroup groupResponse(String groupId, List<TopicRequest> topics,
            short version) {
        Errors[] error = new Errors[1];
        List<TopicAnswer> answers = answer(groupId, topics, error);
        OffsetFetchResponseData.OffsetFetchResponseGroup rg = new OffsetFetchResponseData.OffsetFetchResponseGroup()
                .setGroupId(groupId).setErrorCode(error[0].code());
        if (error[0] != Errors.NONE) {
            return rg;
        }
        for (TopicAnswer ta : answers) {
            OffsetFetchResponseData.OffsetFetchResponseTopics rt = new OffsetFetchResponseData.OffsetFetchResponseTopics()
                    .setName(ta.name);
            if (ta.topicId != null) {
                rt.setTopicId(ta.topicId);
            } else if (version >= 10) {
                cluster.topic(ta.name).ifPresent(v -> rt.setTopicId(v.topicId()));
            }
            for (Answer a : ta.partitions) {
                rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                        .setPartitionIndex(a.partition).setCommittedOffset(a.offset)
                        .setCommittedLeaderEpoch(a.leaderEpoch).setMetadata(a.metadata).setErrorCode(a.error.code()));
            }
            rg.topics().add(rt);
        }
        return rg;
    }

    private record TopicRequest(String name, Uuid topicId, List<Integer> partitions) {
    }

    /** The answers for {@code topics} (null: all committed); {@code error[0]} gets the group-level error. */
    private List<TopicAnswer> answer(String groupId, List<TopicRequest> topics, Errors[] error) {
        error[0] = groupId == null ? Errors.INVALID_GROUP_ID : offsetsTopic.check(offsetsTopic.partitionFor(groupId));
        boolean failed = error[0] != Errors.NONE;
        ClassicGroup g = failed ? null : groups.get(groupId);
        ClassicGroup locked = g;
        List<TopicAnswer> out = new ArrayList<>();
        if (locked != null) {
            locked.lock();
        }
        try {
            if (g != null && g.is(GroupState.DEAD)) {
                g = null;
            }
            if (topics == null) {
                if (g != null) {
                    allCommitted(g, out);
                }
                return out;
            }
            for (TopicRequest t : topics) {
                String name = t.name;
                Errors topicError = Errors.NONE;
                boolean byId = (name == null || name.isEmpty()) && t.topicId != null && !Uuid.ZERO_UUID.equals(t.topicId);
                if (byId) {
                    TopicView view = cluster.topic(t.topicId).orElse(null);
                    name = view == null ? "" : view.name();
                    topicError = view == null ? Errors.UNKNOWN_TOPIC_ID : Errors.NONE;
                }
                List<Answer> answers = new ArrayList<>(t.partitions.size());
                for (int p : t.partitions) {
                    CommittedOffset c = g == null || failed || topicError != Errors.NONE ? null
                            : g.offsets().get(new TopicPartition(name, p));
                    answers.add(c == null ? new Answer(p, -1L, -1, "", topicError)
                            : new Answer(p, c.offset(), c.leaderEpoch(), c.metadata(), Errors.NONE));
                }
                out.add(new TopicAnswer(name, byId ? t.topicId : null, answers));
            }
            return out;
        } finally {
            if (locked != null) {
                locked.unlock();
            }
        }
    }

    private void allCommitted(ClassicGroup g, List<TopicAnswer> out) {
        Map<String, TreeMap<Integer, CommittedOffset>> byTopic = new LinkedHashMap<>();
        g.offsets().forEach((tp, c) -> byTopic.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), c));
        byTopic.forEach((topic, partitions) -> {
            List<Answer> answers = new ArrayList<>(partitions.size());
            partitions.forEach((p, c) -> answers.add(new Answer(p, c.offset(), c.leaderEpoch(), c.metadata(),
                    Errors.NONE)));
            out.add(new TopicAnswer(topic, null, answers));
        });
    }
}
