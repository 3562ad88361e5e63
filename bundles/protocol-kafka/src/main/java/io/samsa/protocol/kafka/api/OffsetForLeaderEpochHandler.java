package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;

import io.samsa.api.broker.EpochLookup;
import io.samsa.api.broker.PartitionService;

/**
 * OffsetForLeaderEpoch: where a leader epoch ends, from the partition's leader-epoch checkpoint.
 * Consumers ask it after a leader change to detect a log truncated under their position (KIP-320).
 */
final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetForLeaderEpochRequestData> {

    private final PartitionService partitions;

    OffsetForLeaderEpochHandler(PartitionService partitions) {
        this.partitions = partitions;
    }

    @Override
    public ApiMessage handle(RequestContext context, OffsetForLeaderEpochRequestData request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : request.topics()) {
            OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderPartition partition : topic.partitions()) {
                EpochLookup lookup = partitions.offsetForLeaderEpoch(
                        new TopicPartition(topic.topic(), partition.partition()),
                        partition.currentLeaderEpoch(), partition.leaderEpoch());
                result.partitions().add(new EpochEndOffset()
                        .setPartition(partition.partition())
                        .setErrorCode(lookup.error().code())
                        .setLeaderEpoch(lookup.leaderEpoch())
                        .setEndOffset(lookup.endOffset()));
            }
            response.topics().add(result);
        }
        return response;
    }
}
