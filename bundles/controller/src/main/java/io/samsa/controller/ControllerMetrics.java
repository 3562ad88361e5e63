package io.samsa.controller;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;

/**
 * Kafka's {@code kafka.controller:type=KafkaController} gauges. The counts are taken from the
 * controller's context on its own thread after each event and read from here by any thread; a
 * broker that is not the controller reports 0 everywhere, as a ZooKeeper-mode Kafka broker does,
 * so that summing ActiveControllerCount over the cluster gives 1.
 */
final class ControllerMetrics implements MetricSource {

    private static final String DOMAIN = "kafka.controller";
    private static final String TYPE = "KafkaController";
    private static final MetricName ACTIVE = MetricName.of(DOMAIN, TYPE, "ActiveControllerCount");
    private static final MetricName OFFLINE = MetricName.of(DOMAIN, TYPE, "OfflinePartitionsCount");
    private static final MetricName TOPICS = MetricName.of(DOMAIN, TYPE, "GlobalTopicCount");
    private static final MetricName PARTITIONS = MetricName.of(DOMAIN, TYPE, "GlobalPartitionCount");
    private static final MetricName BROKERS = MetricName.of(DOMAIN, TYPE, "ActiveBrokerCount");
    private static final MetricName IMBALANCE = MetricName.of(DOMAIN, TYPE, "PreferredReplicaImbalanceCount");

    /** The figures of one moment of the context, replaced whole so a reader never mixes two. */
    private record Counts(int topics, int partitions, int offline, int brokers, int imbalance) {
        static final Counts NONE = new Counts(0, 0, 0, 0, 0);
    }

    private volatile Counts counts = Counts.NONE;
    private volatile ElectedController term;

    private final LongSupplier active = () -> {
        ElectedController t = term;
        return t != null && t.active() && !t.fenced() ? 1 : 0;
    };
    private final LongSupplier offline = () -> active.getAsLong() == 0 ? 0 : counts.offline();
    private final LongSupplier topics = () -> active.getAsLong() == 0 ? 0 : counts.topics();
    private final LongSupplier partitions = () -> active.getAsLong() == 0 ? 0 : counts.partitions();
    private final LongSupplier brokers = () -> active.getAsLong() == 0 ? 0 : counts.brokers();
    private final LongSupplier imbalance = () -> active.getAsLong() == 0 ? 0 : counts.imbalance();

    /** The term now running, or null once it ended. */
    void term(ElectedController current) {
        term = current;
        if (current == null) {
            counts = Counts.NONE;
        }
    }

    /** On the controller's thread, after an event changed what it knows. */
    void update(ControllerContext context) {
        Map<Integer, Long> live = context.liveBrokers();
        int partitionCount = 0;
        int offlineCount = 0;
        int imbalanced = 0;
        for (String topic : context.topicNames()) {
            for (TopicPartition tp : context.partitions(topic)) {
                partitionCount++;
                PartitionState s = context.state(tp);
                if (!s.exists() || s.leader() < 0 || !live.containsKey(s.leader())) {
                    offlineCount++;
                    continue;
                }
                Optional<PartitionAssignment> assignment = context.assignment(tp);
                List<Integer> replicas = assignment.map(PartitionAssignment::replicas).orElse(List.of());
                if (!replicas.isEmpty() && replicas.get(0) != s.leader()) {
                    imbalanced++;
                }
            }
        }
        counts = new Counts(context.topicNames().size(), partitionCount, offlineCount, live.size(), imbalanced);
    }

    @Override
    public void visit(MetricVisitor visitor) {
        visitor.gauge(ACTIVE, active);
        visitor.gauge(OFFLINE, offline);
        visitor.gauge(TOPICS, topics);
        visitor.gauge(PARTITIONS, partitions);
        visitor.gauge(BROKERS, brokers);
        visitor.gauge(IMBALANCE, imbalance);
    }
}
