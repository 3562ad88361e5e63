package io.samsa.protocol.kafka.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.TopicAdmin;

/** CreatePartitions: grows topics to a new partition count. */
final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequestData> {

    private final TopicAdmin topicAdmin;

    CreatePartitionsHandler(TopicAdmin topicAdmin) {
        this.topicAdmin = topicAdmin;
    }

    @Override
    public ApiMessage handle(RequestContext context, CreatePartitionsRequestData request) {
        Map<String, Integer> counts = new HashMap<>();
        request.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        for (CreatePartitionsTopic topic : request.topics()) {
            ApiError error = counts.get(topic.name()) > 1
                    ? new ApiError(Errors.INVALID_REQUEST, "Topic " + topic.name() + " appears more than once")
                    : topicAdmin.createPartitions(topic.name(), topic.count(), assignments(topic),
                            request.validateOnly());
            response.results().add(new CreatePartitionsTopicResult().setName(topic.name())
                    .setErrorCode(error.error().code())
                    .setErrorMessage(error.isFailure() ? error.messageWithFallback() : null));
        }
        return response;
    }

    private static List<List<Integer>> assignments(CreatePartitionsTopic topic) {
        List<List<Integer>> assignments = new ArrayList<>();
        if (topic.assignments() != null) {
            for (CreatePartitionsAssignment assignment : topic.assignments()) {
                assignments.add(assignment.brokerIds());
            }
        }
        return assignments;
    }
}
