package io.samsa.broker;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks the record batches a producer sent for one partition before anything is appended:
 * framing, magic, size limit, CRC and record count. Records are not decompressed; the CRC covers
 * them as sent.
 */
final class BatchValidator {

    private BatchValidator() {
    }

    /**
     * @param maxBatchBytes the topic's {@code max.message.bytes}
     * @param internal      whether the broker itself writes (control batches are allowed)
     */
    static ValidatedBatches validate(ByteBuffer buffer, int maxBatchBytes, boolean internal) {
        int pos = buffer.position();
        int end = buffer.limit();
        if (pos == end) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "The request holds no record batch");
        }
        int[] positions = new int[1];
        int count = 0;
        while (pos < end) {
            int remaining = end - pos;
            if (remaining < BatchHeader.UP_TO_MAGIC) {
                return ValidatedBatches.error(Errors.CORRUPT_MESSAGE,
                        "Truncated record batch: " + remaining + " bytes left at position " + pos);
            }
            byte magic = buffer.get(pos + BatchHeader.MAGIC);
            if (magic != RecordBatch.MAGIC_VALUE_V2) {
                return ValidatedBatches.error(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT,
                        "Record batch magic " + magic + " is not supported; only v2 (magic 2) batches are");
            }
            int size = BatchHeader.sizeInBytes(buffer, pos);
            if (size < BatchHeader.SIZE) {
                return ValidatedBatches.error(Errors.CORRUPT_MESSAGE,
                        "Record batch size " + size + " is smaller than the batch header");
            }
            if (size > remaining) {
                return ValidatedBatches.error(Errors.CORRUPT_MESSAGE, "Truncated record batch: header says "
                        + size + " bytes but only " + remaining + " were sent");
            }
            if (size > maxBatchBytes) {
                return ValidatedBatches.error(Errors.MESSAGE_TOO_LARGE, "The record batch of " + size
                        + " bytes is larger than max.message.bytes (" + maxBatchBytes + ")");
            }
            ValidatedBatches problem = check(buffer, pos, size, internal);
            if (problem != null) {
                return problem;
            }
            if (count == positions.length) {
                positions = Arrays.copyOf(positions, count * 2);
            }
            positions[count++] = pos;
            pos += size;
        }
        return new ValidatedBatches(positions, count, Errors.NONE, null);
    }

    private static ValidatedBatches check(ByteBuffer buffer, int pos, int size, boolean internal) {
        RecordBatch batch = MemoryRecords.readableRecords(buffer.slice(pos, size)).firstBatch();
        if (batch == null || !batch.isValid()) {
            return ValidatedBatches.error(Errors.CORRUPT_MESSAGE,
                    "CRC check failed for the record batch at position " + pos);
        }
        int records = buffer.getInt(pos + BatchHeader.RECORDS_COUNT);
        int lastOffsetDelta = BatchHeader.lastOffsetDelta(buffer, pos);
        if (records <= 0) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "Record batch has no records");
        }
        if (lastOffsetDelta != records - 1) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "Record batch holds " + records
                    + " records but its last offset delta is " + lastOffsetDelta);
        }
        if (!internal && BatchHeader.isControl(buffer, pos)) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "Clients may not write control batches");
        }
        return null;
    }

    /**
     * The start positions (absolute, in the validated buffer) of the batches that passed, or
     * the error for the first that did not.
     */
    record ValidatedBatches(int[] positions, int count, Errors error, String message) {
        static ValidatedBatches error(Errors error, String message) {
            return new ValidatedBatches(null, 0, error, message);
        }

        boolean ok() {
            return error == Errors.NONE;
        }
    }
}
