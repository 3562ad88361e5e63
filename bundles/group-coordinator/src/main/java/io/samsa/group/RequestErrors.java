package io.samsa.group;

import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.Caller;

/** Responses that give one error to everything a request asked for. */
final class RequestErrors {
    private RequestErrors() {
    }

    static OffsetCommitResponseData commit(OffsetCommitRequestData request, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                    .setName(t.name()).setTopicId(t.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(rt);
        }
        return response;
    }

    static OffsetFetchResponseData fetch(Caller caller, OffsetFetchRequestData request, Errors error) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (caller.apiVersion() >= 8) {
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : request.groups()) {
                response.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(g.groupId())
                        .setErrorCode(error.code()));
            }
            return response;
        }
        if (caller.apiVersion() >= 2) {
            return response.setErrorCode(error.code());
        }
        if (request.topics() != null) {
            for (OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics()) {
                OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic()
                        .setName(t.name());
                for (int p : t.partitionIndexes()) {
                    rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p)
                            .setCommittedOffset(-1L).setMetadata("").setErrorCode(error.code()));
                }
                response.topics().add(rt);
            }
        }
        return response;
    }

    static DescribeGroupsResponseData describe(DescribeGroupsRequestData request, Errors error) {
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String g : request.groups()) {
            response.groups().add(new DescribeGroupsResponseData.DescribedGroup().setGroupId(g)
                    .setErrorCode(error.code()).setGroupState("").setProtocolType("").setProtocolData(""));
        }
        return response;
    }

    static DeleteGroupsResponseData delete(DeleteGroupsRequestData request, Errors error) {
        DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        for (String g : request.groupsNames()) {
            if (response.results().find(g) == null) {
                response.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(g)
                        .setErrorCode(error.code()));
            }
        }
        return response;
    }
}
