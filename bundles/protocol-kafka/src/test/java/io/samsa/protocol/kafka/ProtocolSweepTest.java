package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.TestBroker;

/**
 * The advertised version table, and a request at every advertised version of every API answered
 * in a form the client's own parser reads back (group requests go to a group coordinated elsewhere,
 * which exercises the NOT_COORDINATOR answers at each version).
 */
public class ProtocolSweepTest {

    private static final String REMOTE = "remote-sweep";
    private static TestBroker broker;

    @BeforeClass
    public static void start() throws Exception {
        broker = new TestBroker();
    }

    @AfterClass
    public static void stop() throws Exception {
        broker.close();
    }

    @Test
    public void advertisesExactlyTheImplementedApis() throws Exception {
        Map<ApiKeys, String> expected = new LinkedHashMap<>();
        expected.put(ApiKeys.PRODUCE, "0..12");
        expected.put(ApiKeys.FETCH, "4..17");
        expected.put(ApiKeys.LIST_OFFSETS, "1..10");
        expected.put(ApiKeys.METADATA, "0..13");
        expected.put(ApiKeys.OFFSET_COMMIT, "2..9");
        expected.put(ApiKeys.OFFSET_FETCH, "1..9");
        expected.put(ApiKeys.FIND_COORDINATOR, "0..6");
        expected.put(ApiKeys.JOIN_GROUP, "0..9");
        expected.put(ApiKeys.HEARTBEAT, "0..4");
        expected.put(ApiKeys.LEAVE_GROUP, "0..5");
        expected.put(ApiKeys.SYNC_GROUP, "0..5");
        expected.put(ApiKeys.DESCRIBE_GROUPS, "0..6");
        expected.put(ApiKeys.LIST_GROUPS, "0..5");
        expected.put(ApiKeys.API_VERSIONS, "0..4");
        expected.put(ApiKeys.CREATE_TOPICS, "2..7");
        expected.put(ApiKeys.DELETE_TOPICS, "1..6");
        expected.put(ApiKeys.DELETE_RECORDS, "0..2");
        expected.put(ApiKeys.INIT_PRODUCER_ID, "0..5");
        expected.put(ApiKeys.DESCRIBE_CONFIGS, "1..4");
        expected.put(ApiKeys.ALTER_CONFIGS, "0..2");
        expected.put(ApiKeys.DESCRIBE_LOG_DIRS, "1..4");
        expected.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, "2..4");
        expected.put(ApiKeys.CREATE_PARTITIONS, "0..3");
        expected.put(ApiKeys.DELETE_GROUPS, "0..3");
        expected.put(ApiKeys.ELECT_LEADERS, "0..2");
        expected.put(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, "0..1");
        expected.put(ApiKeys.LIST_PARTITION_REASSIGNMENTS, "0..0");
        expected.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, "0..1");
        expected.put(ApiKeys.DESCRIBE_CLUSTER, "0..2");
        expected.put(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, "0..0");
        Map<ApiKeys, String> advertised = new LinkedHashMap<>();
        for (ApiVersion v : apiVersions().apiKeys()) {
            advertised.put(ApiKeys.forId(v.apiKey()), v.minVersion() + ".." + v.maxVersion());
        }
        assertEquals(expected, advertised);
        for (ApiKeys absent : List.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                ApiKeys.ADD_PARTITIONS_TO_TXN, ApiKeys.SASL_HANDSHAKE)) {
            assertFalse(absent + " is not served", advertised.containsKey(absent));
        }
    }

    @Test
    public void everyAdvertisedVersionIsAnsweredReadably() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            int answered = 0;
            for (ApiVersion v : apiVersions().apiKeys()) {
                ApiKeys key = ApiKeys.forId(v.apiKey());
                for (short version = (short) Math.max(v.minVersion(), key.oldestVersion());
                        version <= v.maxVersion(); version++) {
                    ApiMessage response = client.call(key, version, request(key, version));
                    assertNotNull(key + " v" + version, response);
                    checkGroupError(key, version, response);
                    answered++;
                }
            }
            assertEquals(172, answered);
        }
    }

    private static ApiVersionsResponseData apiVersions() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            return (ApiVersionsResponseData) client.call(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("sweep").setClientSoftwareVersion("1"));
        }
    }

    private static ApiMessage request(ApiKeys key, short version) {
        switch (key) {
            case API_VERSIONS:
                return new ApiVersionsRequestData().setClientSoftwareName("sweep").setClientSoftwareVersion("1");
            case PRODUCE:
                return new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
            case FIND_COORDINATOR:
                return version >= 4 ? new FindCoordinatorRequestData().setCoordinatorKeys(List.of("g"))
                        : new FindCoordinatorRequestData().setKey("g");
            case JOIN_GROUP:
                return new JoinGroupRequestData().setGroupId(REMOTE).setProtocolType("consumer");
            case SYNC_GROUP:
                return new SyncGroupRequestData().setGroupId(REMOTE).setMemberId("m");
            case HEARTBEAT:
                return new HeartbeatRequestData().setGroupId(REMOTE).setMemberId("m");
            case LEAVE_GROUP:
                return version >= 3 ? new LeaveGroupRequestData().setGroupId(REMOTE).setMembers(List.of(
                        new LeaveGroupRequestData.MemberIdentity().setMemberId("m")))
                        : new LeaveGroupRequestData().setGroupId(REMOTE).setMemberId("m");
            case OFFSET_COMMIT:
                return new OffsetCommitRequestData().setGroupId(REMOTE);
            case OFFSET_FETCH:
                return version >= 8 ? new OffsetFetchRequestData().setGroups(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(REMOTE)))
                        : new OffsetFetchRequestData().setGroupId(REMOTE);
            case DESCRIBE_GROUPS:
                return new DescribeGroupsRequestData().setGroups(List.of(REMOTE));
            case DELETE_GROUPS:
                return new DeleteGroupsRequestData().setGroupsNames(List.of(REMOTE));
            default:
                return key.messageType.newRequest();
        }
    }

    private static void checkGroupError(ApiKeys key, short version, ApiMessage response) {
        short notCoordinator = Errors.NOT_COORDINATOR.code();
        String at = key + " v" + version;
        switch (key) {
            case JOIN_GROUP -> assertEquals(at, notCoordinator, ((JoinGroupResponseData) response).errorCode());
            case SYNC_GROUP -> assertEquals(at, notCoordinator, ((SyncGroupResponseData) response).errorCode());
            case HEARTBEAT -> assertEquals(at, notCoordinator, ((HeartbeatResponseData) response).errorCode());
            case LEAVE_GROUP -> assertEquals(at, notCoordinator, ((LeaveGroupResponseData) response).errorCode());
            case OFFSET_FETCH -> {
                OffsetFetchResponseData data = (OffsetFetchResponseData) response;
                if (version >= 8) {
                    assertEquals(at, notCoordinator, data.groups().get(0).errorCode());
                } else if (version >= 2) {
                    assertEquals(at, notCoordinator, data.errorCode());
                }
            }
            case DESCRIBE_GROUPS -> {
                DescribeGroupsResponseData.DescribedGroup group = ((DescribeGroupsResponseData) response).groups().get(0);
                assertEquals(at, notCoordinator, group.errorCode());
                assertEquals(REMOTE, group.groupId());
            }
            case ELECT_LEADERS -> {
                // the test broker runs no controller: clients are sent to find the controller
                if (version >= 1) {
                    assertEquals(at, Errors.NOT_CONTROLLER.code(), ((ElectLeadersResponseData) response).errorCode());
                }
            }
            case ALTER_PARTITION_REASSIGNMENTS -> assertEquals(at, Errors.NOT_CONTROLLER.code(),
                    ((AlterPartitionReassignmentsResponseData) response).errorCode());
            case LIST_PARTITION_REASSIGNMENTS -> assertEquals(at, Errors.NOT_CONTROLLER.code(),
                    ((ListPartitionReassignmentsResponseData) response).errorCode());
            case DELETE_GROUPS -> assertEquals(at, notCoordinator,
                    ((DeleteGroupsResponseData) response).results().find(REMOTE).errorCode());
            default -> {
            }
        }
    }
}
