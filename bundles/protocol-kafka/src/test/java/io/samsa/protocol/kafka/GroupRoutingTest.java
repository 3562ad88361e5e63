package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.TestBroker;

/** Coordinator discovery and the split of multi-group requests between this broker and others. */
public class GroupRoutingTest {

    private TestBroker broker;
    private RawClient client;

    @Before
    public void start() throws Exception {
        broker = new TestBroker();
        client = new RawClient(broker.address());
    }

    @After
    public void stop() throws Exception {
        client.close();
        broker.close();
    }

    @Test
    public void findCoordinatorSingleAndBatched() throws Exception {
        FindCoordinatorResponseData single = (FindCoordinatorResponseData) client.call(ApiKeys.FIND_COORDINATOR,
                (short) 3, new FindCoordinatorRequestData().setKey("g").setKeyType((byte) 0));
        assertEquals(Errors.NONE.code(), single.errorCode());
        assertEquals(0, single.nodeId());
        assertEquals("127.0.0.1", single.host());
        assertEquals(broker.port(), single.port());

        FindCoordinatorResponseData batched = (FindCoordinatorResponseData) client.call(ApiKeys.FIND_COORDINATOR,
                (short) 4, new FindCoordinatorRequestData().setKeyType((byte) 0)
                        .setCoordinatorKeys(List.of("g", "unavailable-g", "remote-g")));
        List<Coordinator> coordinators = batched.coordinators();
        assertEquals(Errors.NONE.code(), coordinators.get(0).errorCode());
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), coordinators.get(1).errorCode());
        // Broker 1 coordinates it but is not alive in this cluster.
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), coordinators.get(2).errorCode());

        FindCoordinatorResponseData transaction = (FindCoordinatorResponseData) client.call(ApiKeys.FIND_COORDINATOR,
                (short) 4, new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of("tx")));
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), transaction.coordinators().get(0).errorCode());
        FindCoordinatorResponseData bogus = (FindCoordinatorResponseData) client.call(ApiKeys.FIND_COORDINATOR,
                (short) 2, new FindCoordinatorRequestData().setKeyType((byte) 9).setKey("x"));
        assertEquals(Errors.INVALID_REQUEST.code(), bogus.errorCode());
    }

    @Test
    public void multiGroupRequestsAreSplitByCoordinator() throws Exception {
        OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId("local-1")
                .setGenerationIdOrMemberEpoch(-1).setTopics(List.of(new OffsetCommitRequestTopic().setName("t")
                        .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(42)))));
        OffsetCommitResponseData committed = (OffsetCommitResponseData) client.call(ApiKeys.OFFSET_COMMIT, (short) 9,
                commit);
        assertEquals(Errors.NONE.code(), committed.topics().get(0).partitions().get(0).errorCode());
        OffsetCommitResponseData refused = (OffsetCommitResponseData) client.call(ApiKeys.OFFSET_COMMIT, (short) 9,
                commit.duplicate().setGroupId("remote-1"));
        assertEquals(Errors.NOT_COORDINATOR.code(), refused.topics().get(0).partitions().get(0).errorCode());

        OffsetFetchResponseData fetched = (OffsetFetchResponseData) client.call(ApiKeys.OFFSET_FETCH, (short) 9,
                new OffsetFetchRequestData().setGroups(List.of(
                        new OffsetFetchRequestGroup().setGroupId("remote-1"),
                        new OffsetFetchRequestGroup().setGroupId("local-1").setTopics(null))));
        assertEquals(2, fetched.groups().size());
        for (OffsetFetchResponseGroup group : fetched.groups()) {
            if (group.groupId().equals("local-1")) {
                assertEquals(Errors.NONE.code(), group.errorCode());
                assertEquals(42, group.topics().get(0).partitions().get(0).committedOffset());
            } else {
                assertEquals(Errors.NOT_COORDINATOR.code(), group.errorCode());
            }
        }

        DescribeGroupsResponseData described = (DescribeGroupsResponseData) client.call(ApiKeys.DESCRIBE_GROUPS,
                (short) 5, new DescribeGroupsRequestData().setGroups(List.of("local-1", "remote-1")));
        assertEquals(Errors.NONE.code(), described.groups().get(0).errorCode());
        assertEquals(Errors.NOT_COORDINATOR.code(), described.groups().get(1).errorCode());

        DeleteGroupsResponseData deleted = (DeleteGroupsResponseData) client.call(ApiKeys.DELETE_GROUPS, (short) 2,
                new DeleteGroupsRequestData().setGroupsNames(List.of("remote-1", "local-1")));
        assertEquals(Errors.NONE.code(), deleted.results().find("local-1").errorCode());
        assertEquals(Errors.NOT_COORDINATOR.code(), deleted.results().find("remote-1").errorCode());
    }
}
