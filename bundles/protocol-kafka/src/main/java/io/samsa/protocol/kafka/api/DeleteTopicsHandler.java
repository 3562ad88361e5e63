package io.samsa.protocol.kafka.api;

import java.util.Optional;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;

/** DeleteTopics: by name, or (v6) by name or topic id. */
final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequestData> {

    private final ClusterView cluster;
    private final TopicAdmin topicAdmin;

    DeleteTopicsHandler(ClusterView cluster, TopicAdmin topicAdmin) {
        this.cluster = cluster;
        this.topicAdmin = topicAdmin;
    }

    @Override
    public ApiMessage handle(RequestContext context, DeleteTopicsRequestData request) {
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        if (context.apiVersion() < 6) {
            for (String name : request.topicNames()) {
                response.responses().add(result(name, Uuid.ZERO_UUID, deleteByName(name)));
            }
            return response;
        }
        for (DeleteTopicState topic : request.topics()) {
            Uuid id = topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId();
            if (topic.name() != null && !Uuid.ZERO_UUID.equals(id)) {
                response.responses().add(result(topic.name(), id,
                        new ApiError(Errors.INVALID_REQUEST, "Give a topic name or a topic id, not both")));
            } else if (topic.name() != null) {
                Uuid known = cluster.topic(topic.name()).map(TopicView::topicId).orElse(Uuid.ZERO_UUID);
                response.responses().add(result(topic.name(), known, deleteByName(topic.name())));
            } else {
                Optional<TopicView> view = cluster.topic(id);
                response.responses().add(view.isPresent()
                        ? result(view.get().name(), id, deleteByName(view.get().name()))
                        : result(null, id, new ApiError(Errors.UNKNOWN_TOPIC_ID, "No topic with id " + id)));
            }
        }
        return response;
    }

    private ApiError deleteByName(String name) {
        return topicAdmin.deleteTopic(name);
    }

    private static DeletableTopicResult result(String name, Uuid id, ApiError error) {
        return new DeletableTopicResult().setName(name).setTopicId(id == null ? Uuid.ZERO_UUID : id)
                .setErrorCode(error.error().code())
                .setErrorMessage(error.isFailure() ? error.messageWithFallback() : null);
    }
}
