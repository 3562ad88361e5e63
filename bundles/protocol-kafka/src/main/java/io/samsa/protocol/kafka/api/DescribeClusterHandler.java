package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.coordination.BrokerRegistration;

/** DescribeCluster: cluster id, controller and live brokers; there are no controller endpoints to list. */
final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequestData> {

    /** Kafka's endpoint type for brokers; controllers are 2. */
    private static final byte BROKER_ENDPOINTS = 1;

    private final ClusterView cluster;

    DescribeClusterHandler(ClusterView cluster) {
        this.cluster = cluster;
    }

    @Override
    public ApiMessage handle(RequestContext context, DescribeClusterRequestData request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData().setEndpointType(BROKER_ENDPOINTS);
        if (context.apiVersion() >= 1 && request.endpointType() != BROKER_ENDPOINTS) {
            return response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Only broker endpoints are served here, not endpoint type " + request.endpointType())
                    .setClusterId(cluster.clusterId());
        }
        response.setClusterId(cluster.clusterId()).setControllerId(cluster.controllerId());
        for (BrokerRegistration broker : cluster.brokers()) {
            response.brokers().add(new DescribeClusterBroker().setBrokerId(broker.brokerId()).setHost(broker.host())
                    .setPort(broker.port()).setRack(broker.rack().orElse(null)).setIsFenced(false));
        }
        if (request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        return response;
    }
}
