package io.samsa.broker;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.AppendOrigin;
import io.samsa.api.storage.RecordBatchLayout;

/**
 * The one place where the record batches written to a partition are checked, before anything
 * is appended: framing, magic, size limit, CRC, record count and last offset delta, and for a
 * client's produce request Kafka's per-version rules ({@code ProduceRequest.validateRecords}:
 * exactly one batch, zstd from version 7) and its refusals (control batches, transactions).
 * Records are not decompressed: the CRC covers them as sent, and the storage keeps them so.
 * <p>
 * The error codes are the ones Kafka answers for each problem, and every message names it.
 */
final class BatchValidator {

    private BatchValidator() {
    }

    /**
     * @param maxBatchBytes the topic's {@code max.message.bytes}
     * @param origin        who writes: a client's produce request of some version, or the broker
     */
    static ValidatedBatches validate(ByteBuffer buffer, int maxBatchBytes, AppendOrigin origin) {
        int pos = buffer.position();
        int end = buffer.limit();
        if (pos == end) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "The request holds no record batch");
        }
        int[] positions = new int[1];
        int count = 0;
        CRC32C crc = new CRC32C();
        while (pos < end) {
            ValidatedBatches problem = checkFraming(buffer, pos, end, maxBatchBytes);
            if (problem == null) {
                problem = checkContent(buffer, pos, crc, origin);
            }
            if (problem != null) {
                return problem;
            }
            if (count == positions.length) {
                positions = Arrays.copyOf(positions, count * 2);
            }
            positions[count++] = pos;
            pos += RecordBatchLayout.sizeInBytes(buffer, pos);
        }
        if (count > 1 && !origin.internal()) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "Produce requests of version "
                    + origin.produceVersion() + " must hold exactly one record batch per partition; this one holds "
                    + count);
        }
        return new ValidatedBatches(positions, count, Errors.NONE, null);
    }

    private static ValidatedBatches checkFraming(ByteBuffer buffer, int pos, int end, int maxBatchBytes) {
        int remaining = end - pos;
        if (remaining < RecordBatchLayout.UP_TO_MAGIC) {
            return ValidatedBatches.error(Errors.CORRUPT_MESSAGE,
                    "Truncated record batch: " + remaining + " bytes left at position " + pos);
        }
        byte magic = RecordBatchLayout.magic(buffer, pos);
        if (magic != RecordBatchLayout.MAGIC_V2) {
            return ValidatedBatches.error(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT,
                    "Record batch magic " + magic + " is not supported; only v2 (magic 2) batches are");
        }
        String framing = RecordBatchLayout.framingProblem(buffer, pos, end);
        if (framing != null) {
            return ValidatedBatches.error(Errors.CORRUPT_MESSAGE, "Record batch at position " + pos + ": " + framing);
        }
        int size = RecordBatchLayout.sizeInBytes(buffer, pos);
        if (size > maxBatchBytes) {
            return ValidatedBatches.error(Errors.MESSAGE_TOO_LARGE, "The record batch of " + size
                    + " bytes is larger than max.message.bytes (" + maxBatchBytes + ")");
        }
        return null;
    }

    private static ValidatedBatches checkContent(ByteBuffer buffer, int pos, CRC32C crc, AppendOrigin origin) {
        int size = RecordBatchLayout.sizeInBytes(buffer, pos);
        crc.reset();
        crc.update(buffer.duplicate().limit(pos + size).position(pos + RecordBatchLayout.ATTRIBUTES));
        if ((int) crc.getValue() != RecordBatchLayout.crc(buffer, pos)) {
            return ValidatedBatches.error(Errors.CORRUPT_MESSAGE,
                    "CRC check failed for the record batch at position " + pos);
        }
        int records = RecordBatchLayout.recordsCount(buffer, pos);
        int lastOffsetDelta = RecordBatchLayout.lastOffsetDelta(buffer, pos);
        if (records <= 0) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "Record batch has no records");
        }
        if (lastOffsetDelta != records - 1) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "Record batch holds " + records
                    + " records but its last offset delta is " + lastOffsetDelta);
        }
        if (origin.internal()) {
            return null;
        }
        if (RecordBatchLayout.isControl(buffer, pos)) {
            return ValidatedBatches.error(Errors.INVALID_RECORD, "Clients may not write control batches");
        }
        if (RecordBatchLayout.isTransactional(buffer, pos)) {
            return ValidatedBatches.error(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT,
                    "Transactional record batches are not supported by this broker");
        }
        if (RecordBatchLayout.compression(buffer, pos) == RecordBatchLayout.ZSTD
                && origin.produceVersion() < AppendOrigin.FIRST_ZSTD_PRODUCE_VERSION) {
            return ValidatedBatches.error(Errors.UNSUPPORTED_COMPRESSION_TYPE, "Produce requests of version "
                    + origin.produceVersion() + " may not carry zstd-compressed batches (version "
                    + AppendOrigin.FIRST_ZSTD_PRODUCE_VERSION + " is the first that may)");
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
