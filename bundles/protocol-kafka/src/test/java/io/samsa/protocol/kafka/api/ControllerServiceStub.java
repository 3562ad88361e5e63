package io.samsa.protocol.kafka.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.replication.ControllerService;
import io.samsa.api.replication.PartitionAssignment;

/** A controller service for handler tests: each test overrides what it asks; anything else fails the call. */
class ControllerServiceStub implements ControllerService {

    @Override
    public CompletionStage<Map<TopicPartition, ApiError>> electLeaders(ElectionType type,
            Optional<Set<TopicPartition>> partitions) {
        return unexpected("electLeaders");
    }

    @Override
    public CompletionStage<Map<TopicPartition, ApiError>> alterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowReplicationFactorChange) {
        return unexpected("alterPartitionReassignments");
    }

    @Override
    public CompletionStage<Map<TopicPartition, PartitionAssignment>> listPartitionReassignments(
            Optional<Set<TopicPartition>> partitions) {
        return unexpected("listPartitionReassignments");
    }

    private static <T> CompletionStage<T> unexpected(String call) {
        return CompletableFuture.failedFuture(new AssertionError("the test did not expect " + call));
    }
}
