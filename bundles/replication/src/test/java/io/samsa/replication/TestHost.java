package io.samsa.replication;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.Uuid;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.replication.ReplicaHost;

/** The broker a runtime works for, with the live brokers a test says. */
final class TestHost implements ReplicaHost, ClusterView {
    private final int brokerId;
    volatile long brokerEpoch = 100;
    volatile boolean lease = true;
    final List<BrokerRegistration> brokers = new CopyOnWriteArrayList<>();

    /** @param live the live brokers (this one included), each at epoch 100 on port 9000 + id */
    TestHost(int brokerId, int... live) {
        this.brokerId = brokerId;
        for (int id : live) {
            register(id, 100);
        }
    }

    void register(int id, long epoch) {
        brokers.removeIf(b -> b.brokerId() == id);
        brokers.add(new BrokerRegistration(id, "127.0.0.1", 9000 + id, Optional.empty(), epoch));
    }

    void deregister(int id) {
        brokers.removeIf(b -> b.brokerId() == id);
    }

    @Override
    public int brokerId() {
        return brokerId;
    }

    @Override
    public long brokerEpoch() {
        return brokerEpoch;
    }

    @Override
    public boolean holdsLease() {
        return lease;
    }

    @Override
    public ClusterView cluster() {
        return this;
    }

    @Override
    public String clusterId() {
        return "test-cluster";
    }

    @Override
    public int localBrokerId() {
        return brokerId;
    }

    @Override
    public int controllerId() {
        return -1;
    }

    @Override
    public List<BrokerRegistration> brokers() {
        return brokers;
    }

    @Override
    public Collection<TopicView> topics() {
        return List.of();
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return Optional.empty();
    }

    @Override
    public Optional<TopicView> topic(Uuid topicId) {
        return Optional.empty();
    }
}
