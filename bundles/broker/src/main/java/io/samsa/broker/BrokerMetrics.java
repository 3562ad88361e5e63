package io.samsa.broker;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;
import io.samsa.api.storage.PartitionLog;

/**
 * The broker's metrics under Kafka's names: BrokerTopicMetrics, the ReplicaManager's partition
 * and leader counts, each log's size and offsets, the broker state and app-info. Gauges are
 * read from the partitions when asked; nothing here is on a request's path.
 */
final class BrokerMetrics implements MetricSource {

    /** Kafka's {@code BrokerState} values. */
    static final int NOT_RUNNING = 0;
    static final int STARTING = 1;
    static final int RUNNING = 3;
    static final int SHUTTING_DOWN = 7;

    private static final MetricName PARTITION_COUNT = MetricName.of("kafka.server", "ReplicaManager", "PartitionCount");
    private static final MetricName LEADER_COUNT = MetricName.of("kafka.server", "ReplicaManager", "LeaderCount");
    private static final MetricName OFFLINE_REPLICA_COUNT = MetricName.of("kafka.server", "ReplicaManager",
            "OfflineReplicaCount");
    private static final MetricName BROKER_STATE = MetricName.of("kafka.server", "KafkaServer", "BrokerState");

    private final Supplier<BrokerServer> server;
    private final LongSupplier brokerState;
    private final Supplier<Map<String, Object>> appInfo;
    private final Supplier<Integer> brokerId;
    private final LongSupplier partitionCount = () -> registry() == null ? 0 : registry().all().size();
    private final LongSupplier leaderCount = () -> {
        PartitionRegistry r = registry();
        return r == null ? 0 : r.all().stream().filter(Partition::leader).count();
    };
    private final LongSupplier offlineReplicas = () -> registry() == null ? 0 : registry().offlinePartitions().size();
    private final Map<TopicPartition, LogGauges> logs = new ConcurrentHashMap<>();
    private BrokerServer lastServer;

    /**
     * @param appInfo the attributes of {@code kafka.server:type=app-info} ({@code version}, {@code commit-id},
     *                {@code start-time-ms})
     */
    BrokerMetrics(Supplier<BrokerServer> server, Supplier<Integer> brokerId, LongSupplier brokerState,
            Supplier<Map<String, Object>> appInfo) {
        this.server = server;
        this.brokerId = brokerId;
        this.brokerState = brokerState;
        this.appInfo = appInfo;
    }

    private PartitionRegistry registry() {
        BrokerServer s = server.get();
        return s == null ? null : s.registry();
    }

    @Override
    public synchronized void visit(MetricVisitor visitor) {
        visitor.gauge(BROKER_STATE, brokerState);
        visitor.info(MetricName.ofType("kafka.server", "app-info", "id", String.valueOf(brokerId.get())), appInfo.get());
        BrokerServer s = server.get();
        if (s != lastServer) {
            // A restarted broker has new partitions: gauges reading the old ones would read closed logs.
            logs.clear();
            lastServer = s;
        }
        if (s == null) {
            return;
        }
        visitor.gauge(PARTITION_COUNT, partitionCount);
        visitor.gauge(LEADER_COUNT, leaderCount);
        visitor.gauge(OFFLINE_REPLICA_COUNT, offlineReplicas);
        PartitionRegistry registry = s.registry();
        Set<String> topics = new HashSet<>();
        Set<TopicPartition> hosted = new HashSet<>();
        for (Partition p : registry.all()) {
            TopicPartition tp = p.topicPartition();
            topics.add(tp.topic());
            hosted.add(tp);
            logs.computeIfAbsent(tp, k -> new LogGauges(k, registry)).visit(visitor);
        }
        logs.keySet().retainAll(hosted);
        s.topicStats().visit(visitor, topics);
    }

    /** {@code kafka.log:type=Log,name=Size|LogStartOffset|LogEndOffset,topic=T,partition=P}. */
    private static final class LogGauges {
        final MetricName size;
        final MetricName start;
        final MetricName end;
        final LongSupplier sizeValue;
        final LongSupplier startValue;
        final LongSupplier endValue;

        LogGauges(TopicPartition tp, PartitionRegistry registry) {
            String partition = String.valueOf(tp.partition());
            size = MetricName.of("kafka.log", "Log", "Size", "topic", tp.topic(), "partition", partition);
            start = MetricName.of("kafka.log", "Log", "LogStartOffset", "topic", tp.topic(), "partition", partition);
            end = MetricName.of("kafka.log", "Log", "LogEndOffset", "topic", tp.topic(), "partition", partition);
            sizeValue = () -> {
                PartitionLog log = log(registry, tp);
                try {
                    return log == null ? 0 : log.sizeInBytes();
                } catch (RuntimeException e) {
                    return 0; // closed or failed meanwhile; the next read sees the replacement
                }
            };
            startValue = () -> {
                PartitionLog log = log(registry, tp);
                try {
                    return log == null ? 0 : log.logStartOffset();
                } catch (RuntimeException e) {
                    return 0;
                }
            };
            endValue = () -> {
                PartitionLog log = log(registry, tp);
                try {
                    return log == null ? 0 : log.logEndOffset();
                } catch (RuntimeException e) {
                    return 0;
                }
            };
        }

        private static PartitionLog log(PartitionRegistry registry, TopicPartition tp) {
            Partition p = registry.get(tp);
            return p == null ? null : p.log();
        }

        void visit(MetricVisitor visitor) {
            visitor.gauge(size, sizeValue);
            visitor.gauge(start, startValue);
            visitor.gauge(end, endValue);
        }
    }
}
