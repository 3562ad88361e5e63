package io.samsa.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntSupplier;

import org.apache.kafka.common.Uuid;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;

/**
 * The cluster as this broker knows it, served from an immutable snapshot that the metadata
 * thread replaces after every change it reads from the coordinator (and right after this
 * broker's own writes), so Metadata requests never wait on the coordinator.
 */
final class MetadataCache implements ClusterView {

    private record Snapshot(Map<String, TopicView> byName, Map<Uuid, TopicView> byId,
            List<BrokerRegistration> brokers) {
    }

    private final String clusterId;
    private final int localBrokerId;
    private final IntSupplier controllerId;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), List.of());

    MetadataCache(String clusterId, int localBrokerId, IntSupplier controllerId) {
        this.clusterId = clusterId;
        this.localBrokerId = localBrokerId;
        this.controllerId = controllerId;
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public int localBrokerId() {
        return localBrokerId;
    }

    @Override
    public int controllerId() {
        return controllerId.getAsInt();
    }

    @Override
    public List<BrokerRegistration> brokers() {
        return snapshot.brokers;
    }

    @Override
    public Collection<TopicView> topics() {
        return snapshot.byName.values();
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return Optional.ofNullable(snapshot.byName.get(name));
    }

    @Override
    public Optional<TopicView> topic(Uuid topicId) {
        return Optional.ofNullable(snapshot.byId.get(topicId));
    }

    synchronized void put(TopicView topic) {
        Snapshot s = snapshot;
        Map<String, TopicView> byName = new TreeMap<>(s.byName);
        Map<Uuid, TopicView> byId = new HashMap<>(s.byId);
        TopicView old = byName.put(topic.name(), topic);
        if (old != null) {
            byId.remove(old.topicId());
        }
        byId.put(topic.topicId(), topic);
        snapshot = new Snapshot(Collections.unmodifiableMap(byName), Map.copyOf(byId), s.brokers);
    }

    synchronized void remove(String name) {
        Snapshot s = snapshot;
        if (!s.byName.containsKey(name)) {
            return;
        }
        Map<String, TopicView> byName = new TreeMap<>(s.byName);
        Map<Uuid, TopicView> byId = new HashMap<>(s.byId);
        byId.remove(byName.remove(name).topicId());
        snapshot = new Snapshot(Collections.unmodifiableMap(byName), Map.copyOf(byId), s.brokers);
    }

    synchronized void setBrokers(List<BrokerRegistration> brokers) {
        Snapshot s = snapshot;
        List<BrokerRegistration> sorted = new ArrayList<>(brokers);
        sorted.sort(Comparator.comparingInt(BrokerRegistration::brokerId));
        snapshot = new Snapshot(s.byName, s.byId, List.copyOf(sorted));
    }
}
