package io.samsa.protocol.kafka.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicView;

/**
 * DescribeTopicPartitions (KIP-966), what Kafka 3.7+ admin clients and {@code kafka-topics.sh
 * --describe} ask before falling back to Metadata: the requested topics (every topic for an empty
 * list) in name order, their partitions from the same view Metadata answers from, at most
 * {@code ResponsePartitionLimit} partitions per response with a cursor to the next one.
 * Samsa keeps no eligible leader replicas yet: those lists are empty.
 */
final class DescribeTopicPartitionsHandler implements ApiHandler<DescribeTopicPartitionsRequestData> {

    /** Kafka's {@code max.request.partition.size.limit}: the most partitions one response holds. */
    static final int MAX_PARTITIONS_PER_RESPONSE = 2000;

    private final ClusterView cluster;

    DescribeTopicPartitionsHandler(ClusterView cluster) {
        this.cluster = cluster;
    }

    @Override
    public ApiMessage handle(RequestContext context, DescribeTopicPartitionsRequestData request) {
        TreeSet<String> names = new TreeSet<>();
        boolean all = request.topics().isEmpty();
        if (all) {
            cluster.topics().forEach(t -> names.add(t.name()));
        } else {
            request.topics().forEach(t -> names.add(t.name()));
        }
        DescribeTopicPartitionsRequestData.Cursor cursor = request.cursor();
        String firstTopic = cursor == null ? null : cursor.topicName();
        int firstPartition = cursor == null ? 0 : cursor.partitionIndex();
        if (cursor != null) {
            if (firstTopic == null || firstPartition < 0) {
                throw new InvalidRequestException("The cursor of DescribeTopicPartitions needs a topic name and a"
                        + " partition index >= 0, not " + firstTopic + "/" + firstPartition);
            }
            if (!all && !names.contains(firstTopic)) {
                throw new InvalidRequestException("The cursor's topic " + firstTopic
                        + " is not among the topics requested");
            }
        }
        int limit = request.responsePartitionLimit() <= 0 ? MAX_PARTITIONS_PER_RESPONSE
                : Math.min(request.responsePartitionLimit(), MAX_PARTITIONS_PER_RESPONSE);
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        int left = limit;
        for (String name : firstTopic == null ? names : names.tailSet(firstTopic, true)) {
            Optional<TopicView> found = cluster.topic(name);
            if (found.isEmpty()) {
                response.topics().add(new DescribeTopicPartitionsResponseTopic().setName(name)
                        .setTopicId(Uuid.ZERO_UUID).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
                continue;
            }
            TopicView topic = found.get();
            int from = name.equals(firstTopic) ? firstPartition : 0;
            List<PartitionView> partitions = new ArrayList<>(topic.partitions());
            partitions.removeIf(p -> p.partition() < from);
            partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            if (left == 0) {
                // Full, with this topic still to go: the next response starts here.
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(from));
                break;
            }
            DescribeTopicPartitionsResponseTopic result = new DescribeTopicPartitionsResponseTopic()
                    .setName(name).setTopicId(topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId())
                    .setIsInternal(topic.internal()).setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
            response.topics().add(result);
            for (PartitionView p : partitions) {
                if (left == 0) {
                    response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(p.partition()));
                    break;
                }
                result.partitions().add(new DescribeTopicPartitionsResponsePartition()
                        .setErrorCode(p.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                        .setPartitionIndex(p.partition()).setLeaderId(p.leader()).setLeaderEpoch(p.leaderEpoch())
                        .setReplicaNodes(p.replicas()).setIsrNodes(p.isr())
                        .setEligibleLeaderReplicas(List.of()).setLastKnownElr(List.of())
                        .setOfflineReplicas(p.offline()));
                left--;
            }
            if (response.nextCursor() != null) {
                break;
            }
        }
        return response;
    }
}
