package io.samsa.protocol.kafka.api;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.replication.ControllerService;

/**
 * ElectLeaders (kafka-leader-election.sh): preferred or unclean elections, decided by the
 * controller. Kafka's clients send it to the controller; elsewhere, or without a controller
 * service, it is answered NOT_CONTROLLER so they look the controller up again.
 */
final class ElectLeadersHandler implements AsyncApiHandler<ElectLeadersRequestData> {

    private final Supplier<Optional<ControllerService>> controller;

    ElectLeadersHandler(Supplier<Optional<ControllerService>> controller) {
        this.controller = controller;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, ElectLeadersRequestData request) {
        short version = context.apiVersion();
        ElectionType type;
        try {
            // v0 has no election type: it is always preferred
            type = version == 0 ? ElectionType.PREFERRED : ElectionType.valueOf(request.electionType());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(failed(request, version,
                    new ApiError(Errors.INVALID_REQUEST, "Unknown election type " + request.electionType())));
        }
        Optional<Set<TopicPartition>> partitions = Optional.empty();
        if (request.topicPartitions() != null) {
            Set<TopicPartition> named = new LinkedHashSet<>();
            for (TopicPartitions topic : request.topicPartitions()) {
                topic.partitions().forEach(p -> named.add(new TopicPartition(topic.topic(), p)));
            }
            partitions = Optional.of(named);
        }
        Optional<ControllerService> service = controller.get();
        if (service.isEmpty()) {
            return CompletableFuture.completedFuture(failed(request, version,
                    new ApiError(Errors.NOT_CONTROLLER, "This broker runs no controller")));
        }
        return service.get().electLeaders(type, partitions).handle((results, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                return failed(request, version, cause instanceof ApiException api ? ApiError.fromThrowable(api)
                        : new ApiError(Errors.UNKNOWN_SERVER_ERROR, String.valueOf(cause.getMessage())));
            }
            return answer(results);
        });
    }

    private static ElectLeadersResponseData answer(Map<TopicPartition, ApiError> results) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        results.forEach((tp, error) -> byTopic
                .computeIfAbsent(tp.topic(), t -> new ReplicaElectionResult().setTopic(t))
                .partitionResult().add(new PartitionResult().setPartitionId(tp.partition())
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.isFailure() ? error.messageWithFallback() : null)));
        return new ElectLeadersResponseData().setErrorCode(Errors.NONE.code())
                .setReplicaElectionResults(List.copyOf(byTopic.values()));
    }

    /**
     * The whole request failed: v1 and later say so at the top; v0 has no place for it but the
     * partitions' results.
     */
    private static ElectLeadersResponseData failed(ElectLeadersRequestData request, short version, ApiError error) {
        ElectLeadersResponseData response = new ElectLeadersResponseData();
        if (version >= 1) {
            return response.setErrorCode(error.error().code());
        }
        if (request.topicPartitions() != null) {
            for (TopicPartitions topic : request.topicPartitions()) {
                ReplicaElectionResult result = new ReplicaElectionResult().setTopic(topic.topic());
                topic.partitions().forEach(p -> result.partitionResult().add(new PartitionResult().setPartitionId(p)
                        .setErrorCode(error.error().code()).setErrorMessage(error.messageWithFallback())));
                response.replicaElectionResults().add(result);
            }
        }
        return response;
    }
}
