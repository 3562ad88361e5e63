package io.samsa.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.PartitionView;
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
    private final BooleanSupplier registered;
    /** As {@code /controller} said when the metadata thread last read it; -1 for none. */
    private volatile int controllerId = -1;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), List.of());

    /**
     * @param registered whether this broker may be sure its registration stands (its session lease holds):
     *        while it may not, it leaves itself out of {@link #brokers()}
     */
    MetadataCache(String clusterId, int localBrokerId, BooleanSupplier registered) {
        this.clusterId = clusterId;
        this.localBrokerId = localBrokerId;
        this.registered = registered;
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
        return controllerId;
    }

    void setControllerId(int brokerId) {
        controllerId = brokerId;
    }

    /**
     * The live brokers as last read; without this broker while it cannot be sure it is registered. A broker cut
     * off from the coordinator keeps an old view that still names it leader, and a client connected only to
     * it asks it, and only it, for metadata (Kafka's clients send Metadata to the least loaded node, an idle
     * established connection first), so it would never learn of the new leader. Left out of the list, this
     * broker is no node of the client's cluster: the leaders it names have no address, and the client's next
     * Metadata goes to another broker. Kafka in ZooKeeper mode has the controller push the new view to such
     * a broker over its own connection; here the view only ever comes through the coordinator.
     */
    @Override
    public List<BrokerRegistration> brokers() {
        List<BrokerRegistration> all = snapshot.brokers;
        if (registered.getAsBoolean()) {
            return all;
        }
        return all.stream().filter(b -> b.brokerId() != localBrokerId).toList();
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

    /** Lists this broker as an offline replica of {@code partitions} in the current views. */
    synchronized void replicasOffline(Collection<TopicPartition> partitions) {
        Map<String, Set<Integer>> byTopic = new HashMap<>();
        for (TopicPartition tp : partitions) {
            byTopic.computeIfAbsent(tp.topic(), t -> new HashSet<>()).add(tp.partition());
        }
        byTopic.forEach((name, numbers) -> {
            TopicView t = snapshot.byName.get(name);
            if (t == null) {
                return;
            }
            List<PartitionView> views = new ArrayList<>(t.partitions().size());
            for (PartitionView p : t.partitions()) {
                if (numbers.contains(p.partition()) && !p.offline().contains(localBrokerId)) {
                    List<Integer> offline = new ArrayList<>(p.offline());
                    offline.add(localBrokerId);
                    p = new PartitionView(p.partition(), p.leader(), p.leaderEpoch(), p.replicas(), p.isr(),
                            List.copyOf(offline));
                }
                views.add(p);
            }
            put(new TopicView(t.name(), t.topicId(), t.internal(), List.copyOf(views), t.configs()));
        });
    }

    synchronized void setBrokers(List<BrokerRegistration> brokers) {
        Snapshot s = snapshot;
        List<BrokerRegistration> sorted = new ArrayList<>(brokers);
        sorted.sort(Comparator.comparingInt(BrokerRegistration::brokerId));
        snapshot = new Snapshot(s.byName, s.byId, List.copyOf(sorted));
    }
}
