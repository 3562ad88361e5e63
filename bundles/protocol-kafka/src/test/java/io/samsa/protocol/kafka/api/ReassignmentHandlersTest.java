package io.samsa.protocol.kafka.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.Test;

import io.samsa.api.replication.PartitionAssignment;
import io.samsa.protocol.kafka.network.ClientChannel;

/** AlterPartitionReassignments and ListPartitionReassignments as the front end turns them into controller calls. */
public class ReassignmentHandlersTest {
    private final AtomicReference<Map<TopicPartition, Optional<List<Integer>>>> askedTargets = new AtomicReference<>();
    private final AtomicReference<Boolean> askedAllowFactorChange = new AtomicReference<>();
    private final AtomicReference<Optional<Set<TopicPartition>>> askedList = new AtomicReference<>();

    private final ControllerServiceStub controller = new ControllerServiceStub() {
        @Override
        public CompletionStage<Map<TopicPartition, ApiError>> alterPartitionReassignments(
                Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowReplicationFactorChange) {
            askedTargets.set(targets);
            askedAllowFactorChange.set(allowReplicationFactorChange);
            Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
            targets.forEach((tp, t) -> results.put(tp, t.isPresent() ? ApiError.NONE
                    : new ApiError(Errors.NO_REASSIGNMENT_IN_PROGRESS, "none for " + tp)));
            return CompletableFuture.completedFuture(results);
        }

        @Override
        public CompletionStage<Map<TopicPartition, PartitionAssignment>> listPartitionReassignments(
                Optional<Set<TopicPartition>> partitions) {
            askedList.set(partitions);
            return CompletableFuture.completedFuture(Map.of(new TopicPartition("t", 1),
                    new PartitionAssignment(List.of(3, 1, 2), List.of(3), List.of(2))));
        }
    };

    private final ReassignmentHandlers handlers = new ReassignmentHandlers(() -> Optional.of(controller));

    private static RequestContext context(ApiKeys api, short version) {
        return new RequestContext(new RequestHeader(api, version, "admin", 3), new ClientChannel() {
            @Override
            public String clientAddress() {
                return "/127.0.0.1:9999";
            }

            @Override
            public void abandonReadBuffer() {
            }
        });
    }

    /** Written and read back at the version, as the client sees it. */
    private static ByteBufferAccessor wire(CompletionStage<ApiMessage> response, short version) throws Exception {
        ByteBuffer bytes = MessageUtil.toVersionPrefixedByteBuffer(version,
                response.toCompletableFuture().get(5, TimeUnit.SECONDS));
        bytes.getShort();
        return new ByteBufferAccessor(bytes);
    }

    private AlterPartitionReassignmentsResponseData alter(ReassignmentHandlers h, short version,
            AlterPartitionReassignmentsRequestData request) throws Exception {
        return new AlterPartitionReassignmentsResponseData(
                wire(h.alter(context(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, version), request), version), version);
    }

    private static AlterPartitionReassignmentsRequestData moves(boolean allowFactorChange) {
        return new AlterPartitionReassignmentsRequestData().setAllowReplicationFactorChange(allowFactorChange)
                .setTopics(List.of(new ReassignableTopic().setName("t").setPartitions(List.of(
                        new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(3, 1, 2)),
                        new ReassignablePartition().setPartitionIndex(1).setReplicas(null)))));
    }

    @Test
    public void targetsAndCancelsGoToTheControllerAndOutcomesComeBackPerPartition() throws Exception {
        AlterPartitionReassignmentsResponseData response = alter(handlers, (short) 1, moves(false));
        assertEquals(Map.of(new TopicPartition("t", 0), Optional.of(List.of(3, 1, 2)), new TopicPartition("t", 1),
                Optional.empty()), askedTargets.get());
        assertFalse("v1 carries the flag", askedAllowFactorChange.get());
        assertEquals(Errors.NONE.code(), response.errorCode());
        assertEquals(1, response.responses().size());
        assertEquals(Errors.NONE.code(), response.responses().get(0).partitions().get(0).errorCode());
        assertNull(response.responses().get(0).partitions().get(0).errorMessage());
        assertEquals(Errors.NO_REASSIGNMENT_IN_PROGRESS.code(),
                response.responses().get(0).partitions().get(1).errorCode());
        assertEquals("none for t-1", response.responses().get(0).partitions().get(1).errorMessage());

        alter(handlers, (short) 0, moves(false));
        assertTrue("v0 has no flag: a change of replication factor is allowed", askedAllowFactorChange.get());
    }

    @Test
    public void listingNamesTheAddingAndRemovingReplicas() throws Exception {
        ListPartitionReassignmentsRequestData request = new ListPartitionReassignmentsRequestData().setTopics(
                List.of(new ListPartitionReassignmentsTopics().setName("t").setPartitionIndexes(List.of(0, 1))));
        ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData(wire(
                handlers.list(context(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (short) 0), request), (short) 0),
                (short) 0);
        assertEquals(Optional.of(Set.of(new TopicPartition("t", 0), new TopicPartition("t", 1))), askedList.get());
        OngoingPartitionReassignment ongoing = response.topics().get(0).partitions().get(0);
        assertEquals(1, ongoing.partitionIndex());
        assertEquals(List.of(3, 1, 2), ongoing.replicas());
        assertEquals(List.of(3), ongoing.addingReplicas());
        assertEquals(List.of(2), ongoing.removingReplicas());

        handlers.list(context(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (short) 0),
                new ListPartitionReassignmentsRequestData().setTopics(null));
        assertEquals("no topics: all of them", Optional.empty(), askedList.get());
    }

    @Test
    public void aBrokerThatIsNotTheControllerSendsTheClientToFindIt() throws Exception {
        ReassignmentHandlers none = new ReassignmentHandlers(Optional::empty);
        assertEquals(Errors.NOT_CONTROLLER.code(), alter(none, (short) 0, moves(true)).errorCode());
        ControllerServiceStub deposed = new ControllerServiceStub() {
            @Override
            public CompletionStage<Map<TopicPartition, PartitionAssignment>> listPartitionReassignments(
                    Optional<Set<TopicPartition>> partitions) {
                return CompletableFuture.failedFuture(new NotControllerException("broker 3 is no longer controller"));
            }
        };
        ListPartitionReassignmentsResponseData listed = new ListPartitionReassignmentsResponseData(wire(
                new ReassignmentHandlers(() -> Optional.of(deposed)).list(
                        context(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (short) 0),
                        new ListPartitionReassignmentsRequestData().setTopics(null)), (short) 0), (short) 0);
        assertEquals(Errors.NOT_CONTROLLER.code(), listed.errorCode());
    }
}
