package io.samsa.protocol.kafka.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.TopicAdmin;

/**
 * AlterConfigs (replace all overrides) and IncrementalAlterConfigs (set, delete, append to or
 * subtract from one config at a time) for topics and for brokers' dynamic configuration (one
 * broker by id, or every broker with an empty name, as {@code kafka-configs.sh --entity-default}
 * sends it).
 */
final class AlterConfigsHandlers {

    private final TopicAdmin topicAdmin;

    AlterConfigsHandlers(TopicAdmin topicAdmin) {
        this.topicAdmin = topicAdmin;
    }

    ApiMessage alterConfigs(RequestContext context, AlterConfigsRequestData request) {
        Map<String, Integer> counts = new HashMap<>();
        request.resources().forEach(r -> counts.merge(r.resourceType() + "/" + r.resourceName(), 1, Integer::sum));
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        for (AlterConfigsResource resource : request.resources()) {
            ApiError error = counts.get(resource.resourceType() + "/" + resource.resourceName()) > 1
                    ? duplicate(resource.resourceName())
                    : refuseUnlessTopicOrBroker(resource.resourceType());
            if (error == null) {
                Map<String, String> configs = new LinkedHashMap<>();
                for (AlterableConfig config : resource.configs()) {
                    configs.put(config.name(), config.value());
                }
                error = alter(resource.resourceType(), resource.resourceName(), configs, false, request.validateOnly());
            }
            response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(error.error().code()).setErrorMessage(message(error)));
        }
        return response;
    }

    ApiMessage incrementalAlterConfigs(RequestContext context, IncrementalAlterConfigsRequestData request) {
        Map<String, Integer> counts = new HashMap<>();
        request.resources().forEach(r -> counts.merge(r.resourceType() + "/" + r.resourceName(), 1, Integer::sum));
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
            ApiError error = counts.get(resource.resourceType() + "/" + resource.resourceName()) > 1
                    ? duplicate(resource.resourceName())
                    : refuseUnlessTopicOrBroker(resource.resourceType());
            if (error == null) {
                error = alterIncrementally(resource, request.validateOnly());
            }
            response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(error.error().code()).setErrorMessage(message(error)));
        }
        return response;
    }

    private ApiError alterIncrementally(IncrementalAlterConfigsRequestData.AlterConfigsResource resource,
            boolean validateOnly) {
        String name = resource.resourceName();
        Map<String, String> changes = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs()) {
            if (changes.containsKey(config.name())) {
                return new ApiError(Errors.INVALID_CONFIG, "Config " + config.name() + " is altered more than once");
            }
            OpType op = OpType.forId(config.configOperation());
            if (op == null) {
                return new ApiError(Errors.INVALID_REQUEST, "Unknown config operation " + config.configOperation());
            }
            switch (op) {
                case SET -> changes.put(config.name(), config.value());
                case DELETE -> changes.put(config.name(), null);
                default -> {
                    if (current == null) {
                        current = currentValues(resource.resourceType(), name);
                        if (current == null) {
                            return isBroker(resource.resourceType())
                                    ? new ApiError(Errors.INVALID_REQUEST, "Unknown broker " + name)
                                    : new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
                        }
                    }
                    changes.put(config.name(), listOp(op, current.get(config.name()), config.value()));
                }
            }
        }
        return alter(resource.resourceType(), name, changes, true, validateOnly);
    }

    private ApiError alter(byte resourceType, String name, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        return isBroker(resourceType) ? topicAdmin.alterBrokerConfig(name, changes, incremental, validateOnly)
                : topicAdmin.alterTopicConfig(name, changes, incremental, validateOnly);
    }

    private static boolean isBroker(byte resourceType) {
        return ConfigResource.Type.forId(resourceType) == ConfigResource.Type.BROKER;
    }

    private Map<String, String> currentValues(byte resourceType, String name) {
        List<ConfigEntry> entries = isBroker(resourceType) ? topicAdmin.describeBrokerConfig(name)
                : topicAdmin.describeTopicConfig(name);
        if (entries == null) {
            return null;
        }
        Map<String, String> values = new HashMap<>();
        entries.forEach(e -> values.put(e.name(), e.value()));
        return values;
    }

    /** APPEND and SUBTRACT on a comma-separated list value. */
    private static String listOp(OpType op, String current, String operand) {
        List<String> items = new ArrayList<>();
        if (current != null) {
            for (String item : current.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        if (operand != null) {
            for (String item : operand.split(",")) {
                String value = item.trim();
                if (value.isEmpty()) {
                    continue;
                }
                if (op == OpType.APPEND && !items.contains(value)) {
                    items.add(value);
                } else if (op == OpType.SUBTRACT) {
                    items.remove(value);
                }
            }
        }
        return String.join(",", items);
    }

    private static ApiError refuseUnlessTopicOrBroker(byte resourceType) {
        ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        if (type == ConfigResource.Type.TOPIC || type == ConfigResource.Type.BROKER) {
            return null;
        }
        return new ApiError(Errors.INVALID_REQUEST, "Altering " + type + " configs is not supported");
    }

    private static ApiError duplicate(String name) {
        return new ApiError(Errors.INVALID_REQUEST, "Resource " + name + " appears more than once in the request");
    }

    private static String message(ApiError error) {
        return error.isFailure() ? error.messageWithFallback() : null;
    }
}
