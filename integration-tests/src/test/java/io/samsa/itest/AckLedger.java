package io.samsa.itest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.TopicPartition;

/**
 * Every record a workload sends, with its outcome: acknowledged at an offset, failed, or not
 * answered yet. Values are unique (producer name and sequence number), so that a final drain can
 * be matched send by send ({@link HistoryChecker}).
 * <p>
 * A failed send is indeterminate, as Jepsen treats it: a Kafka producer error does not say the
 * record was not written, so it may show up in the log, once.
 */
final class AckLedger {

    enum Outcome { PENDING, ACKED, FAILED }

    /** One send; its outcome is set once, from the producer's callback thread. */
    static final class Send {
        final String producer;
        final long sequence;
        final TopicPartition partition;
        final String value;
        private volatile Outcome outcome = Outcome.PENDING;
        private volatile long offset = -1;
        private volatile Throwable error;

        Send(String producer, long sequence, TopicPartition partition, String value) {
            this.producer = producer;
            this.sequence = sequence;
            this.partition = partition;
            this.value = value;
        }

        Outcome outcome() {
            return outcome;
        }

        /** The acknowledged offset, or -1 unless {@link Outcome#ACKED}. */
        long offset() {
            return offset;
        }

        Throwable error() {
            return error;
        }

        @Override
        public String toString() {
            return value + "->" + partition + (outcome == Outcome.ACKED ? "@" + offset : " " + outcome);
        }
    }

    private final ConcurrentLinkedQueue<Send> sends = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();

    /**
     * Records a send by {@code producer} to {@code partition}, before it is handed to the
     * client: its value is {@code producer:sequence}, sequences counting up per producer in send order.
     */
    Send next(String producer, TopicPartition partition) {
        if (producer == null || producer.isEmpty() || producer.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a producer name must be non-empty and without ':', not '"
                    + producer + "'");
        }
        if (partition == null || partition.partition() < 0) {
            throw new IllegalArgumentException("the ledger needs an explicit partition, not " + partition);
        }
        long seq = sequences.computeIfAbsent(producer, p -> new AtomicLong()).getAndIncrement();
        Send s = new Send(producer, seq, partition, producer + ":" + seq);
        sends.add(s);
        return s;
    }

    void acked(Send send, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("acknowledged offset of " + send.value + " must be >= 0, not " + offset);
        }
        synchronized (send) {
            requirePending(send, Outcome.ACKED);
            send.offset = offset;
            send.outcome = Outcome.ACKED;
        }
    }

    void failed(Send send, Throwable error) {
        synchronized (send) {
            requirePending(send, Outcome.FAILED);
            send.error = error;
            send.outcome = Outcome.FAILED;
        }
    }

    private static void requirePending(Send send, Outcome next) {
        if (send.outcome != Outcome.PENDING) {
            throw new IllegalStateException(send.value + " answered twice: " + send.outcome + ", then " + next);
        }
    }

    /** The producer callback that settles {@code send}. */
    Callback callback(Send send) {
        return (metadata, error) -> {
            if (error != null) {
                failed(send, error);
            } else if (metadata.partition() != send.partition.partition()) {
                failed(send, new IllegalStateException("acknowledged on partition " + metadata.partition()
                        + " though sent to " + send.partition));
            } else {
                acked(send, metadata.offset());
            }
        };
    }

    /** Every send so far, in the order they were recorded. */
    List<Send> sends() {
        return new ArrayList<>(sends);
    }

    long count(Outcome outcome) {
        return sends.stream().filter(s -> s.outcome() == outcome).count();
    }
}
