package io.samsa.protocol.kafka.api;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.AppendOrigin;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProduceResult;

/**
 * Produce: hands each partition's record batches to the broker as a slice of the request buffer
 * (no copy). Transactions are not supported. With acks=0 nothing is answered and an error closes
 * the connection, which is how Kafka tells such a producer to refresh its metadata.
 */
final class ProduceHandler implements AsyncApiHandler<ProduceRequestData> {

    /** Waiting beyond the request's own timeout only guards against a lost completion. */
    private static final long GRACE_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);

    private final PartitionService partitions;

    ProduceHandler(PartitionService partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<ProduceResponseData> handle(RequestContext context, ProduceRequestData request) {
        short acks = request.acks();
        ProduceResult refused = null;
        if (request.transactionalId() != null) {
            refused = ProduceResult.error(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT,
                    "Transactions are not supported by this broker");
        } else if (acks != 0 && acks != 1 && acks != -1) {
            refused = ProduceResult.error(Errors.INVALID_REQUIRED_ACKS, "acks must be 0, 1 or -1, not " + acks);
        }
        Map<TopicPartition, ProduceResult> results = new HashMap<>();
        Map<TopicPartition, ByteBuffer> batches = new LinkedHashMap<>();
        for (TopicProduceData topic : request.topicData()) {
            for (PartitionProduceData partition : topic.partitionData()) {
                TopicPartition tp = new TopicPartition(topic.name(), partition.index());
                if (refused != null) {
                    results.put(tp, refused);
                } else if (partition.records() instanceof MemoryRecords records) {
                    batches.put(tp, records.buffer()); // the broker validates it (BatchValidator)
                } else {
                    results.put(tp, ProduceResult.error(Errors.INVALID_RECORD, "The partition has no record batch"));
                }
            }
        }
        if (batches.isEmpty()) {
            return CompletableFuture.completedFuture(answer(context, request, results));
        }
        return append(context, batches, acks, request.timeoutMs()).handle((appended, failure) -> {
            if (failure == null) {
                results.putAll(appended);
                return answer(context, request, results);
            }
            if (acks != 0) {
                throw new CompletionException(RequestContext.unwrap(failure));
            }
            // No error response may be sent for acks=0: the client does not read one.
            LOG.warn("Produce with acks=0 from {} failed; closing the connection", context.clientAddress(),
                    RequestContext.unwrap(failure));
            context.closeConnection();
            return null;
        });
    }

    private static ProduceResponseData answer(RequestContext context, ProduceRequestData request,
            Map<TopicPartition, ProduceResult> results) {
        if (request.acks() == 0) {
            if (results.values().stream().anyMatch(r -> r.error() != Errors.NONE)) {
                context.closeConnection();
            }
            return null;
        }
        return response(request, results);
    }

    /**
     * The broker's answer, or REQUEST_TIMED_OUT for every partition once the request's timeout
     * and a grace period have passed without one.
     */
    private CompletableFuture<Map<TopicPartition, ProduceResult>> append(RequestContext context,
            Map<TopicPartition, ByteBuffer> batches, short acks, int timeoutMs) {
        CompletableFuture<Map<TopicPartition, ProduceResult>> appended;
        try {
            appended = partitions.append(batches, acks, timeoutMs, AppendOrigin.client(context.apiVersion()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // A copy, so that giving up on the wait does not complete the broker's own future.
        return appended.copy().orTimeout(Math.max(0, timeoutMs) + GRACE_MILLIS, TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> {
                    if (!(RequestContext.unwrap(failure) instanceof TimeoutException)) {
                        return CompletableFuture.failedFuture(failure);
                    }
                    // The broker may still read the batches: they stay with it and the next request gets a new buffer.
                    context.abandonRequestBuffer();
                    Map<TopicPartition, ProduceResult> timedOut = new HashMap<>();
                    batches.keySet().forEach(tp -> timedOut.put(tp, ProduceResult.error(Errors.REQUEST_TIMED_OUT,
                            "The append did not complete within " + timeoutMs + " ms")));
                    return CompletableFuture.completedFuture(timedOut);
                });
    }

    private static ProduceResponseData response(ProduceRequestData request, Map<TopicPartition, ProduceResult> results) {
        ProduceResponseData response = new ProduceResponseData();
        for (TopicProduceData topic : request.topicData()) {
            TopicProduceResponse topicResponse = response.responses().find(topic.name(), topic.topicId());
            if (topicResponse == null) {
                topicResponse = new TopicProduceResponse().setName(topic.name()).setTopicId(topic.topicId());
                response.responses().add(topicResponse);
            }
            for (PartitionProduceData partition : topic.partitionData()) {
                ProduceResult result = results.getOrDefault(new TopicPartition(topic.name(), partition.index()),
                        ProduceResult.error(Errors.UNKNOWN_SERVER_ERROR, "The broker returned no result"));
                topicResponse.partitionResponses().add(new PartitionProduceResponse()
                        .setIndex(partition.index())
                        .setErrorCode(result.error().code())
                        .setErrorMessage(result.error() == Errors.NONE ? null : result.message())
                        .setBaseOffset(result.baseOffset())
                        .setLogAppendTimeMs(result.logAppendTime())
                        .setLogStartOffset(result.logStartOffset())
                        .setRecordErrors(Collections.emptyList()));
            }
        }
        return response;
    }
}
