package io.samsa.broker;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.broker.BatchValidator.ValidatedBatches;

/**
 * Idempotent producer state of one partition: per producer id the current epoch and the
 * sequence ranges and offsets of its last five batches (the most a producer has in flight), so
 * that a retried batch is recognised and answered with its original offset.
 * <p>
 * Not thread-safe: the partition's append lock guards it.
 */
final class ProducerStateTable {

    static final int CACHED_BATCHES = 5;

    private final Map<Long, ProducerEntry> entries = new HashMap<>();

    /** The verdict on a produce request's batches; {@link #ACCEPT} when they may be appended. */
    record Verdict(Errors error, String message, long duplicateOffset) {
        static final Verdict ACCEPT = new Verdict(Errors.NONE, null, -1);

        boolean duplicate() {
            return duplicateOffset >= 0;
        }
    }

    /** Checks epochs and sequences of every batch, as if the earlier batches of the request had been appended. */
    Verdict check(ByteBuffer buffer, ValidatedBatches batches) {
        long previousId = -1;
        short previousEpoch = 0;
        int previousLastSeq = 0;
        for (int i = 0; i < batches.count(); i++) {
            int pos = batches.positions()[i];
            long producerId = RecordBatchLayout.producerId(buffer, pos);
            if (producerId < 0) {
                continue;
            }
            short epoch = RecordBatchLayout.producerEpoch(buffer, pos);
            int firstSeq = RecordBatchLayout.baseSequence(buffer, pos);
            int lastSeq = RecordBatchLayout.lastSequence(buffer, pos);
            Verdict v;
            if (producerId == previousId) {
                v = checkAfter(producerId, previousEpoch, previousLastSeq, epoch, firstSeq);
            } else {
                ProducerEntry entry = entries.get(producerId);
                v = entry == null ? Verdict.ACCEPT : entry.check(producerId, epoch, firstSeq, lastSeq);
            }
            if (v != Verdict.ACCEPT) {
                return v;
            }
            previousId = producerId;
            previousEpoch = epoch;
            previousLastSeq = lastSeq;
        }
        return Verdict.ACCEPT;
    }

    private static Verdict checkAfter(long producerId, short currentEpoch, int lastSeq, short epoch, int firstSeq) {
        if (epoch < currentEpoch) {
            return epochFenced(producerId, epoch, currentEpoch);
        }
        if (epoch > currentEpoch) {
            return firstSeq == 0 ? Verdict.ACCEPT : newEpochOutOfOrder(producerId, epoch, firstSeq);
        }
        int expected = RecordBatchLayout.addSequence(lastSeq, 1);
        return firstSeq == expected ? Verdict.ACCEPT : outOfOrder(producerId, expected, firstSeq);
    }

    /** Records the batches of a successful append; their base offsets are read from the (rewritten) buffer. */
    void record(ByteBuffer buffer, ValidatedBatches batches, long nowMs) {
        for (int i = 0; i < batches.count(); i++) {
            int pos = batches.positions()[i];
            long producerId = RecordBatchLayout.producerId(buffer, pos);
            if (producerId < 0) {
                continue;
            }
            long baseOffset = RecordBatchLayout.baseOffset(buffer, pos);
            add(producerId, RecordBatchLayout.producerEpoch(buffer, pos), RecordBatchLayout.baseSequence(buffer, pos),
                    RecordBatchLayout.lastSequence(buffer, pos), baseOffset, nowMs);
        }
    }

    /**
     * Records one batch of a producer: what a leader's append does for each batch, and what a
     * follower and the loader do with the batches they read.
     *
     * @param nowMs when the batch was appended, for expiry
     */
    void add(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long nowMs) {
        entries.computeIfAbsent(producerId, id -> new ProducerEntry()).add(epoch, firstSeq, lastSeq, firstOffset,
                nowMs);
    }

    /** Forgets producers that have not written since {@code cutoffMs}, as Kafka's producer id expiration does. */
    int expire(long cutoffMs) {
        int removed = 0;
        for (Iterator<ProducerEntry> it = entries.values().iterator(); it.hasNext();) {
            if (it.next().lastAppendMs < cutoffMs) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    int size() {
        return entries.size();
    }

    /** Forgets every producer: the log they were recorded from was truncated, and is read again. */
    void clear() {
        entries.clear();
    }

    private static Verdict epochFenced(long producerId, short epoch, short current) {
        return new Verdict(Errors.INVALID_PRODUCER_EPOCH, "Producer " + producerId + " epoch " + epoch
                + " is older than the current epoch " + current, -1);
    }

    private static Verdict newEpochOutOfOrder(long producerId, short epoch, int firstSeq) {
        return new Verdict(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Producer " + producerId + " started epoch " + epoch
                + " at sequence " + firstSeq + "; a new epoch must start at sequence 0", -1);
    }

    private static Verdict outOfOrder(long producerId, int expected, int received) {
        return new Verdict(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Out of order sequence number for producer "
                + producerId + ": expected " + expected + ", received " + received, -1);
    }

    /** One producer: its epoch and a ring of its last batches. */
    private static final class ProducerEntry {
        private short epoch;
        private final int[] firstSeqs = new int[CACHED_BATCHES];
        private final int[] lastSeqs = new int[CACHED_BATCHES];
        private final long[] firstOffsets = new long[CACHED_BATCHES];
        private int size;
        private int next;
        private long lastAppendMs;

        Verdict check(long producerId, short batchEpoch, int firstSeq, int lastSeq) {
            if (batchEpoch < epoch) {
                return epochFenced(producerId, batchEpoch, epoch);
            }
            if (batchEpoch > epoch || size == 0) {
                return batchEpoch > epoch && firstSeq != 0 ? newEpochOutOfOrder(producerId, batchEpoch, firstSeq)
                        : Verdict.ACCEPT;
            }
            for (int i = 0; i < size; i++) {
                if (firstSeqs[i] == firstSeq && lastSeqs[i] == lastSeq) {
                    return new Verdict(Errors.NONE, null, firstOffsets[i]);
                }
            }
            int expected = RecordBatchLayout.addSequence(lastSeqs[(next + CACHED_BATCHES - 1) % CACHED_BATCHES], 1);
            return firstSeq == expected ? Verdict.ACCEPT : outOfOrder(producerId, expected, firstSeq);
        }

        void add(short batchEpoch, int firstSeq, int lastSeq, long firstOffset, long nowMs) {
            if (batchEpoch != epoch) {
                epoch = batchEpoch;
                size = 0;
                next = 0;
            }
            firstSeqs[next] = firstSeq;
            lastSeqs[next] = lastSeq;
            firstOffsets[next] = firstOffset;
            next = (next + 1) % CACHED_BATCHES;
            size = Math.min(size + 1, CACHED_BATCHES);
            lastAppendMs = Math.max(lastAppendMs, nowMs);
        }
    }
}
