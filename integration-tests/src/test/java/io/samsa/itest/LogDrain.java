package io.samsa.itest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The final read of a history check: every partition of a topic from its start to the end offset
 * it had when the drain began, assigned (no group), read_uncommitted, as Jepsen's drain after the
 * cluster healed.
 */
final class LogDrain {

    private LogDrain() {
    }

    /**
     * Reads {@code topic} through {@code bootstrap}; {@code source} names this view in anomalies.
     *
     * @throws AssertionError naming the partitions not read to their end within {@code timeout}
     */
    static List<HistoryChecker.Read> drain(String bootstrap, String topic, String source, Duration timeout) {
        List<HistoryChecker.Read> reads = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap, null, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            if (partitions.isEmpty()) {
                throw new AssertionError("cannot drain " + topic + ": it has no partitions (does it exist?)");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!readToEnd(consumer, ends)) {
                if (System.nanoTime() - deadline > 0) {
                    StringBuilder behind = new StringBuilder();
                    ends.forEach((tp, end) -> behind.append(' ').append(tp).append(" at ")
                            .append(consumer.position(tp)).append(" of ").append(end));
                    throw new AssertionError("drain of " + topic + " (" + source + ") not done after "
                            + timeout.toSeconds() + " s:" + behind);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    reads.add(new HistoryChecker.Read(new TopicPartition(r.topic(), r.partition()), r.offset(),
                            r.value(), source));
                }
            }
        }
        return reads;
    }

    private static boolean readToEnd(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
