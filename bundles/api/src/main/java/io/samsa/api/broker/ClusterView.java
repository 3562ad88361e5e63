package io.samsa.api.broker;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.Uuid;
import org.osgi.annotation.versioning.ProviderType;

import io.samsa.api.coordination.BrokerRegistration;

/** The cluster as this broker currently knows it: brokers, controller, topics and partition leaders. */
@ProviderType
public interface ClusterView {

    String clusterId();

    int localBrokerId();

    /** The controller's broker id, or -1 when none is elected. */
    int controllerId();

    /** Live brokers by ascending id. */
    List<BrokerRegistration> brokers();

    Collection<TopicView> topics();

    Optional<TopicView> topic(String name);

    Optional<TopicView> topic(Uuid topicId);
}
