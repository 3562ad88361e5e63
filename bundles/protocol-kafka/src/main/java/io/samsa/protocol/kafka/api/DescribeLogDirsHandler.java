package io.samsa.protocol.kafka.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.LogDirDescription;
import io.samsa.api.broker.PartitionService;

/**
 * DescribeLogDirs ({@code kafka-log-dirs.sh --describe}): each log dir, offline ones with
 * KAFKA_STORAGE_ERROR, and the size of the partitions asked for (all when the request names none).
 * Samsa has no replicas moving between dirs, so there are no future logs and no offset lag.
 */
final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequestData> {

    private final PartitionService partitions;

    DescribeLogDirsHandler(PartitionService partitions) {
        this.partitions = partitions;
    }

    @Override
    public ApiMessage handle(RequestContext context, DescribeLogDirsRequestData request) {
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
        for (LogDirDescription dir : partitions.describeLogDirs()) {
            DescribeLogDirsResult result = new DescribeLogDirsResult()
                    .setLogDir(dir.path())
                    .setErrorCode(dir.error().code())
                    .setTotalBytes(dir.totalBytes())
                    .setUsableBytes(dir.usableBytes());
            Map<String, DescribeLogDirsTopic> topics = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, Long> e : dir.partitionSizes().entrySet()) {
                TopicPartition tp = e.getKey();
                if (!requested(request, tp)) {
                    continue;
                }
                topics.computeIfAbsent(tp.topic(), name -> new DescribeLogDirsTopic().setName(name))
                        .partitions().add(new DescribeLogDirsPartition()
                                .setPartitionIndex(tp.partition())
                                .setPartitionSize(e.getValue())
                                .setOffsetLag(0)
                                .setIsFutureKey(false));
            }
            result.setTopics(List.copyOf(topics.values()));
            response.results().add(result);
        }
        return response;
    }

    /** A null topic list asks for every partition. */
    private static boolean requested(DescribeLogDirsRequestData request, TopicPartition tp) {
        if (request.topics() == null) {
            return true;
        }
        DescribableLogDirTopic topic = request.topics().find(tp.topic());
        return topic != null && topic.partitions().contains(tp.partition());
    }
}
