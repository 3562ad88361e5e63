package io.samsa.broker;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricVisitor;

/**
 * Kafka's {@code kafka.server:type=BrokerTopicMetrics} meters, for all topics and per topic.
 * A topic's meters are made once, by the first request or the first metrics visit that sees
 * the topic hosted here; counting afterwards is a map lookup and a few adds.
 */
final class BrokerTopicStats {

    /** The meters of one topic (or of all, with a null topic). */
    static final class TopicMeters {
        final Meter messagesIn = new Meter("messages");
        final Meter bytesIn = new Meter("bytes");
        final Meter bytesOut = new Meter("bytes");
        final Meter failedProduce = new Meter("requests");
        final Meter failedFetch = new Meter("requests");
        final Meter totalProduce = new Meter("requests");
        final Meter totalFetch = new Meter("requests");
        private final MetricName[] names;
        private final Meter[] meters = {messagesIn, bytesIn, bytesOut, failedProduce, failedFetch, totalProduce,
            totalFetch};

        TopicMeters(String topic) {
            String[] metricNames = {"MessagesInPerSec", "BytesInPerSec", "BytesOutPerSec", "FailedProduceRequestsPerSec",
                "FailedFetchRequestsPerSec", "TotalProduceRequestsPerSec", "TotalFetchRequestsPerSec"};
            names = new MetricName[metricNames.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = topic == null ? MetricName.of("kafka.server", "BrokerTopicMetrics", metricNames[i])
                        : MetricName.of("kafka.server", "BrokerTopicMetrics", metricNames[i], "topic", topic);
            }
        }

        void visit(MetricVisitor visitor) {
            for (int i = 0; i < names.length; i++) {
                visitor.meter(names[i], meters[i]);
            }
        }
    }

    private final TopicMeters all = new TopicMeters(null);
    /** Kafka counts follower fetches apart from consumers', for all topics only. */
    private final Meter replicationBytesOut = new Meter("bytes");
    private final MetricName replicationBytesOutName = MetricName.of("kafka.server", "BrokerTopicMetrics",
            "ReplicationBytesOutPerSec");
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();

    TopicMeters all() {
        return all;
    }

    /** The meters of a topic this broker hosts. */
    TopicMeters topic(String topic) {
        TopicMeters m = topics.get(topic);
        return m != null ? m : topics.computeIfAbsent(topic, TopicMeters::new);
    }

    /** A produce to one partition: counted as Kafka's ReplicaManager counts it. */
    void produced(TopicMeters topic, long bytes, long messages, boolean failed) {
        all.totalProduce.mark();
        if (topic != null) {
            topic.totalProduce.mark();
        }
        if (failed) {
            all.failedProduce.mark();
            if (topic != null) {
                topic.failedProduce.mark();
            }
            return;
        }
        all.bytesIn.mark(bytes);
        all.messagesIn.mark(messages);
        if (topic != null) {
            topic.bytesIn.mark(bytes);
            topic.messagesIn.mark(messages);
        }
    }

    /** A fetch from one partition; a follower's bytes are replication, not BytesOut. */
    void fetched(TopicMeters topic, long bytes, boolean failed, boolean follower) {
        all.totalFetch.mark();
        if (topic != null) {
            topic.totalFetch.mark();
        }
        if (failed) {
            all.failedFetch.mark();
            if (topic != null) {
                topic.failedFetch.mark();
            }
            return;
        }
        if (follower) {
            replicationBytesOut.mark(bytes);
            return;
        }
        all.bytesOut.mark(bytes);
        if (topic != null) {
            topic.bytesOut.mark(bytes);
        }
    }

    /** Lists every meter, making those of newly hosted topics and dropping those of topics no longer hosted. */
    void visit(MetricVisitor visitor, Set<String> hostedTopics) {
        all.visit(visitor);
        visitor.meter(replicationBytesOutName, replicationBytesOut);
        for (String topic : hostedTopics) {
            topic(topic);
        }
        topics.keySet().retainAll(hostedTopics);
        topics.values().forEach(m -> m.visit(visitor));
    }
}
