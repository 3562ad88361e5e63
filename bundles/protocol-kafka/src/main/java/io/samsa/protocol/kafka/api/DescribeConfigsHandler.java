package io.samsa.protocol.kafka.api;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.TopicAdmin;

/**
 * DescribeConfigs for topics and for this broker. Each entry lists itself as its only synonym
 * when synonyms are asked for; types and documentation are not known here.
 */
final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequestData> {

    private final ClusterView cluster;
    private final TopicAdmin topicAdmin;

    DescribeConfigsHandler(ClusterView cluster, TopicAdmin topicAdmin) {
        this.cluster = cluster;
        this.topicAdmin = topicAdmin;
    }

    @Override
    public ApiMessage handle(RequestContext context, DescribeConfigsRequestData request) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            List<ConfigEntry> entries;
            try {
                entries = entries(resource);
            } catch (ConfigResourceException e) {
                response.results().add(result.setErrorCode(e.error.error().code()).setErrorMessage(e.error.message()));
                continue;
            }
            Set<String> wanted = resource.configurationKeys() == null ? null
                    : new HashSet<>(resource.configurationKeys());
            for (ConfigEntry entry : entries) {
                if (wanted == null || wanted.contains(entry.name())) {
                    result.configs().add(describe(entry, request.includeSynonyms()));
                }
            }
            response.results().add(result);
        }
        return response;
    }

    private List<ConfigEntry> entries(DescribeConfigsResource resource) throws ConfigResourceException {
        String name = resource.resourceName();
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        if (type == ConfigResource.Type.TOPIC) {
            if (!Topic.isValid(name)) {
                throw new ConfigResourceException(Errors.INVALID_TOPIC_EXCEPTION, "Invalid topic name '" + name + "'");
            }
            List<ConfigEntry> entries = topicAdmin.describeTopicConfig(name);
            if (entries == null) {
                throw new ConfigResourceException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
            }
            return entries;
        }
        if (type == ConfigResource.Type.BROKER) {
            // an empty name: the cluster-wide dynamic defaults
            List<ConfigEntry> entries = name.isEmpty() || name.equals(String.valueOf(cluster.localBrokerId()))
                    ? topicAdmin.describeBrokerConfig(name) : null;
            if (entries == null) {
                throw new ConfigResourceException(Errors.INVALID_REQUEST, "Unexpected broker id, expected "
                        + cluster.localBrokerId() + ", but received " + name);
            }
            return entries;
        }
        throw new ConfigResourceException(Errors.INVALID_REQUEST, "Describing " + type + " configs is not supported");
    }

    private static DescribeConfigsResourceResult describe(ConfigEntry entry, boolean synonyms) {
        String value = entry.sensitive() ? null : entry.value();
        DescribeConfigsResourceResult result = new DescribeConfigsResourceResult().setName(entry.name())
                .setValue(value).setReadOnly(entry.readOnly()).setConfigSource(entry.source())
                .setIsSensitive(entry.sensitive()).setDocumentation(null);
        if (synonyms) {
            for (ConfigEntry.Synonym synonym : entry.synonyms()) {
                result.synonyms().add(new DescribeConfigsSynonym().setName(synonym.name())
                        .setValue(entry.sensitive() ? null : synonym.value()).setSource(synonym.source()));
            }
        }
        return result;
    }

    /** A resource that cannot be described, with the error its result carries. */
    static final class ConfigResourceException extends Exception {
        private static final long serialVersionUID = 1L;
        final transient ApiError error;

        ConfigResourceException(Errors error, String message) {
            super(message, null, false, false);
            this.error = new ApiError(error, message);
        }
    }
}
