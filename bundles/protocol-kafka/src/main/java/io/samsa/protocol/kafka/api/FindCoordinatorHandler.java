package io.samsa.protocol.kafka.api;

import java.util.List;

import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.GroupCoordinator;
import io.samsa.api.coordination.BrokerRegistration;

/**
 * FindCoordinator, single key (v0-3) or batched (v4+). Group coordinators come from the group
 * coordinator; there is no transaction or share-group coordinator yet.
 */
final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequestData> {

    private final ClusterView cluster;
    private final GroupCoordinator groups;

    FindCoordinatorHandler(ClusterView cluster, GroupCoordinator groups) {
        this.cluster = cluster;
        this.groups = groups;
    }

    @Override
    public ApiMessage handle(RequestContext context, FindCoordinatorRequestData request) {
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (context.apiVersion() >= 4) {
            for (String key : request.coordinatorKeys()) {
                response.coordinators().add(find(request.keyType(), key));
            }
            return response;
        }
        Coordinator found = find(request.keyType(), request.key());
        return response.setErrorCode(found.errorCode()).setErrorMessage(found.errorMessage())
                .setNodeId(found.nodeId()).setHost(found.host()).setPort(found.port());
    }

    private Coordinator find(byte keyType, String key) {
        Coordinator result = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (keyType == CoordinatorType.GROUP.id()) {
            if (key == null || key.isEmpty()) {
                return failed(result, Errors.INVALID_REQUEST, "The group id is empty");
            }
            int brokerId = groups.coordinatorFor(key);
            if (brokerId < 0) {
                return failed(result, Errors.COORDINATOR_NOT_AVAILABLE, "The group coordinator is not available");
            }
            List<BrokerRegistration> brokers = cluster.brokers();
            for (BrokerRegistration broker : brokers) {
                if (broker.brokerId() == brokerId) {
                    return result.setErrorCode(Errors.NONE.code()).setNodeId(brokerId).setHost(broker.host())
                            .setPort(broker.port());
                }
            }
            return failed(result, Errors.COORDINATOR_NOT_AVAILABLE, "The coordinating broker " + brokerId
                    + " is not alive");
        }
        if (keyType == CoordinatorType.TRANSACTION.id() || keyType == CoordinatorType.SHARE.id()) {
            return failed(result, Errors.COORDINATOR_NOT_AVAILABLE,
                    CoordinatorType.forId(keyType) + " coordinators are not supported by this broker");
        }
        return failed(result, Errors.INVALID_REQUEST, "Unknown coordinator key type " + keyType);
    }

    private static Coordinator failed(Coordinator result, Errors error, String message) {
        return result.setErrorCode(error.code()).setErrorMessage(message);
    }
}
