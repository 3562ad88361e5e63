package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;

import io.samsa.api.broker.OffsetLookup;
import io.samsa.api.broker.PartitionService;

/** DeleteRecords: advances log start offsets; the answer is each partition's new low watermark. */
final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequestData> {

    private final PartitionService partitions;

    DeleteRecordsHandler(PartitionService partitions) {
        this.partitions = partitions;
    }

    @Override
    public ApiMessage handle(RequestContext context, DeleteRecordsRequestData request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsTopic topic : request.topics()) {
            DeleteRecordsTopicResult topicResult = response.topics().find(topic.name());
            if (topicResult == null) {
                topicResult = new DeleteRecordsTopicResult().setName(topic.name());
                response.topics().add(topicResult);
            }
            for (DeleteRecordsPartition partition : topic.partitions()) {
                OffsetLookup lookup = partitions.deleteRecords(
                        new TopicPartition(topic.name(), partition.partitionIndex()), partition.offset());
                if (topicResult.partitions().find(partition.partitionIndex()) == null) {
                    topicResult.partitions().add(new DeleteRecordsPartitionResult()
                            .setPartitionIndex(partition.partitionIndex())
                            .setLowWatermark(lookup.offset())
                            .setErrorCode(lookup.error().code()));
                }
            }
        }
        return response;
    }
}
