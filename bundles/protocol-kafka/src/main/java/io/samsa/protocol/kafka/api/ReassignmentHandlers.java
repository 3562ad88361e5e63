package io.samsa.protocol.kafka.api;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.replication.ControllerService;
import io.samsa.api.replication.PartitionAssignment;

/**
 * AlterPartitionReassignments and ListPartitionReassignments (kafka-reassign-partitions.sh),
 * answered by the controller. Kafka's clients send both to the controller; elsewhere, or without
 * a controller service, they are answered NOT_CONTROLLER so the client looks it up again.
 */
final class ReassignmentHandlers {

    private final Supplier<Optional<ControllerService>> controller;

    ReassignmentHandlers(Supplier<Optional<ControllerService>> controller) {
        this.controller = controller;
    }

    CompletionStage<ApiMessage> alter(RequestContext context, AlterPartitionReassignmentsRequestData request) {
        // v0 has no such field, and Kafka reads its absence as allowed
        boolean allowFactorChange = context.apiVersion() < 1 || request.allowReplicationFactorChange();
        Map<TopicPartition, Optional<List<Integer>>> targets = new LinkedHashMap<>();
        for (ReassignableTopic topic : request.topics()) {
            for (ReassignablePartition p : topic.partitions()) {
                targets.put(new TopicPartition(topic.name(), p.partitionIndex()), Optional.ofNullable(p.replicas()));
            }
        }
        Optional<ControllerService> service = controller.get();
        if (service.isEmpty()) {
            return CompletableFuture.completedFuture(alterFailed(notController()));
        }
        return service.get().alterPartitionReassignments(targets, allowFactorChange).handle((results, failure) -> {
            if (failure != null) {
                return alterFailed(ApiError.fromThrowable(failure));
            }
            Map<String, ReassignableTopicResponse> byTopic = new LinkedHashMap<>();
            results.forEach((tp, error) -> byTopic
                    .computeIfAbsent(tp.topic(), t -> new ReassignableTopicResponse().setName(t))
                    .partitions().add(new ReassignablePartitionResponse().setPartitionIndex(tp.partition())
                            .setErrorCode(error.error().code())
                            .setErrorMessage(error.isFailure() ? error.messageWithFallback() : null)));
            return new AlterPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code())
                    .setAllowReplicationFactorChange(allowFactorChange)
                    .setResponses(List.copyOf(byTopic.values()));
        });
    }

    CompletionStage<ApiMessage> list(RequestContext context, ListPartitionReassignmentsRequestData request) {
        Optional<Set<TopicPartition>> partitions = Optional.empty();
        if (request.topics() != null) {
            Set<TopicPartition> named = new LinkedHashSet<>();
            for (ListPartitionReassignmentsTopics topic : request.topics()) {
                topic.partitionIndexes().forEach(p -> named.add(new TopicPartition(topic.name(), p)));
            }
            partitions = Optional.of(named);
        }
        Optional<ControllerService> service = controller.get();
        if (service.isEmpty()) {
            return CompletableFuture.completedFuture(listFailed(notController()));
        }
        return service.get().listPartitionReassignments(partitions).handle((ongoing, failure) -> {
            if (failure != null) {
                return listFailed(ApiError.fromThrowable(failure));
            }
            Map<String, OngoingTopicReassignment> byTopic = new LinkedHashMap<>();
            ongoing.forEach((tp, a) -> byTopic.computeIfAbsent(tp.topic(), t -> new OngoingTopicReassignment().setName(t))
                    .partitions().add(ongoing(tp, a)));
            return new ListPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code())
                    .setTopics(List.copyOf(byTopic.values()));
        });
    }

    private static OngoingPartitionReassignment ongoing(TopicPartition tp, PartitionAssignment a) {
        return new OngoingPartitionReassignment().setPartitionIndex(tp.partition()).setReplicas(a.replicas())
                .setAddingReplicas(a.adding()).setRemovingReplicas(a.removing());
    }

    private static ApiError notController() {
        return new ApiError(Errors.NOT_CONTROLLER, "This broker runs no controller");
    }

    private static AlterPartitionReassignmentsResponseData alterFailed(ApiError error) {
        return new AlterPartitionReassignmentsResponseData().setErrorCode(error.error().code())
                .setErrorMessage(error.messageWithFallback());
    }

    private static ListPartitionReassignmentsResponseData listFailed(ApiError error) {
        return new ListPartitionReassignmentsResponseData().setErrorCode(error.error().code())
                .setErrorMessage(error.messageWithFallback());
    }
}
