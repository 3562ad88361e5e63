package io.samsa.protocol.kafka.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

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

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitionsCollection;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.Test;

import io.samsa.api.replication.ControllerService;
import io.samsa.protocol.kafka.network.ClientChannel;

/** ElectLeaders as the front end turns it into a controller call and back, at each version. */
public class ElectLeadersHandlerTest {
    private final AtomicReference<ElectionType> askedType = new AtomicReference<>();
    private final AtomicReference<Optional<Set<TopicPartition>>> askedPartitions = new AtomicReference<>();

    private ControllerService answering(Map<TopicPartition, ApiError> results) {
        return new ControllerServiceStub() {
            @Override
            public CompletionStage<Map<TopicPartition, ApiError>> electLeaders(ElectionType type,
                    Optional<Set<TopicPartition>> partitions) {
                askedType.set(type);
                askedPartitions.set(partitions);
                return CompletableFuture.completedFuture(results);
            }
        };
    }

    private static ElectLeadersResponseData call(ElectLeadersHandler handler, short version,
            ElectLeadersRequestData request) throws Exception {
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.ELECT_LEADERS, version, "admin", 3),
                new ClientChannel() {
                    @Override
                    public String clientAddress() {
                        return "/127.0.0.1:9999";
                    }

                    @Override
                    public void abandonReadBuffer() {
                    }
                });
        ElectLeadersResponseData response = (ElectLeadersResponseData) handler.handle(context, request)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        // written and read back at the version, as the client sees it
        ByteBuffer bytes = MessageUtil.toVersionPrefixedByteBuffer(version, response);
        bytes.getShort();
        return new ElectLeadersResponseData(new ByteBufferAccessor(bytes), version);
    }

    private static ElectLeadersRequestData request(byte type, TopicPartitions... topics) {
        ElectLeadersRequestData request = new ElectLeadersRequestData().setElectionType(type).setTimeoutMs(1000);
        if (topics == null) {
            return request.setTopicPartitions(null);
        }
        TopicPartitionsCollection named = new TopicPartitionsCollection();
        for (TopicPartitions t : topics) {
            named.add(t);
        }
        return request.setTopicPartitions(named);
    }

    private static Map<TopicPartition, Short> errors(ElectLeadersResponseData response) {
        Map<TopicPartition, Short> out = new LinkedHashMap<>();
        response.replicaElectionResults().forEach(t -> t.partitionResult()
                .forEach(p -> out.put(new TopicPartition(t.topic(), p.partitionId()), p.errorCode())));
        return out;
    }

    @Test
    public void namedPartitionsGoToTheControllerAndTheirOutcomesComeBackByTopic() throws Exception {
        Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
        results.put(new TopicPartition("a", 0), ApiError.NONE);
        results.put(new TopicPartition("a", 1), new ApiError(Errors.ELECTION_NOT_NEEDED, "already"));
        results.put(new TopicPartition("b", 0), new ApiError(Errors.PREFERRED_LEADER_NOT_AVAILABLE, "offline"));
        ElectLeadersHandler handler = new ElectLeadersHandler(() -> Optional.of(answering(results)));
        ElectLeadersResponseData response = call(handler, (short) 2, request(ElectionType.PREFERRED.value,
                new TopicPartitions().setTopic("a").setPartitions(List.of(0, 1)),
                new TopicPartitions().setTopic("b").setPartitions(List.of(0))));
        assertEquals(ElectionType.PREFERRED, askedType.get());
        assertEquals(Optional.of(Set.of(new TopicPartition("a", 0), new TopicPartition("a", 1),
                new TopicPartition("b", 0))), askedPartitions.get());
        assertEquals(Errors.NONE.code(), response.errorCode());
        assertEquals(Map.of(new TopicPartition("a", 0), Errors.NONE.code(), new TopicPartition("a", 1),
                Errors.ELECTION_NOT_NEEDED.code(), new TopicPartition("b", 0),
                Errors.PREFERRED_LEADER_NOT_AVAILABLE.code()), errors(response));
        PartitionResult ok = response.replicaElectionResults().get(0).partitionResult().get(0);
        assertNull("no message for a success", ok.errorMessage());
    }

    @Test
    public void noPartitionsMeansAllAndV0IsAlwaysPreferred() throws Exception {
        ElectLeadersHandler handler = new ElectLeadersHandler(() -> Optional.of(answering(Map.of())));
        call(handler, (short) 1, request(ElectionType.UNCLEAN.value, (TopicPartitions[]) null));
        assertEquals(ElectionType.UNCLEAN, askedType.get());
        assertEquals(Optional.empty(), askedPartitions.get());
        call(handler, (short) 0, request(ElectionType.UNCLEAN.value,
                new TopicPartitions().setTopic("a").setPartitions(List.of(0))));
        assertEquals("v0 carries no election type", ElectionType.PREFERRED, askedType.get());
    }

    @Test
    public void aBrokerThatIsNotTheControllerSaysSoAtTheTopOrPerPartitionInV0() throws Exception {
        ControllerService notController = new ControllerServiceStub() {
            @Override
            public CompletionStage<Map<TopicPartition, ApiError>> electLeaders(ElectionType type,
                    Optional<Set<TopicPartition>> partitions) {
                return CompletableFuture.failedFuture(new NotControllerException("broker 3 is not the controller"));
            }
        };
        ElectLeadersHandler handler = new ElectLeadersHandler(() -> Optional.of(notController));
        ElectLeadersResponseData v2 = call(handler, (short) 2, request(ElectionType.PREFERRED.value,
                new TopicPartitions().setTopic("a").setPartitions(List.of(0))));
        assertEquals(Errors.NOT_CONTROLLER.code(), v2.errorCode());
        ElectLeadersResponseData v0 = call(handler, (short) 0, request(ElectionType.PREFERRED.value,
                new TopicPartitions().setTopic("a").setPartitions(List.of(0, 1))));
        assertEquals(Map.of(new TopicPartition("a", 0), Errors.NOT_CONTROLLER.code(), new TopicPartition("a", 1),
                Errors.NOT_CONTROLLER.code()), errors(v0));

        ElectLeadersHandler none = new ElectLeadersHandler(Optional::empty);
        assertEquals("no controller bundle running", Errors.NOT_CONTROLLER.code(),
                call(none, (short) 1, request(ElectionType.PREFERRED.value, (TopicPartitions[]) null)).errorCode());
    }

    @Test
    public void anUnknownElectionTypeIsAnInvalidRequest() throws Exception {
        ElectLeadersHandler handler = new ElectLeadersHandler(() -> Optional.of(answering(Map.of())));
        ElectLeadersResponseData response = call(handler, (short) 2, request((byte) 7, (TopicPartitions[]) null));
        assertEquals(Errors.INVALID_REQUEST.code(), response.errorCode());
        assertNull("the controller was not asked", askedType.get());
    }
}
