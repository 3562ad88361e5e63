package io.samsa.protocol.kafka.api;

import java.util.HashSet;
import java.util.Set;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;

/** ListOffsets: earliest, latest, max-timestamp and by-timestamp look-ups per partition. */
final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequestData> {

    private final PartitionService partitions;

    ListOffsetsHandler(PartitionService partitions) {
        this.partitions = partitions;
    }

    @Override
    public ApiMessage handle(RequestContext context, ListOffsetsRequestData request) {
        IsolationLevel isolation = IsolationLevel.forId(request.isolationLevel());
        Set<TopicPartition> seen = new HashSet<>();
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsTopic topic : request.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (ListOffsetsPartition partition : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                // Kafka refuses a partition asked for twice in one request.
                OffsetLookup lookup = seen.add(tp) ? partitions.listOffset(tp, partition.timestamp(), isolation)
                        : OffsetLookup.error(Errors.INVALID_REQUEST);
                ListOffsetsPartitionResponse answer = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(partition.partitionIndex())
                        .setErrorCode(lookup.error().code())
                        .setTimestamp(lookup.timestamp())
                        .setOffset(lookup.offset());
                if (context.apiVersion() >= 4) {
                    // The leader epoch field exists from v4; setting it earlier cannot be encoded.
                    answer.setLeaderEpoch(lookup.leaderEpoch());
                }
                topicResponse.partitions().add(answer);
            }
        }
        return response;
    }
}
