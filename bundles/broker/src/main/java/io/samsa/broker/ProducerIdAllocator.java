package io.samsa.broker;

import java.util.Optional;

import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;

/**
 * Hands out producer ids from blocks of {@value #BLOCK_SIZE} claimed in the coordinator at
 * {@code /latest_producer_id_block} (Kafka's node and JSON), so that brokers never give out the
 * same id.
 * <p>
 * Every InitProducerId gets a fresh id at epoch 0. Transactions are not implemented yet, so a
 * transactional id is answered the same way (no fencing of an earlier producer with that id).
 */
final class ProducerIdAllocator implements ProducerIdService {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdAllocator.class);

    static final String BLOCK_PATH = "/latest_producer_id_block";
    static final int BLOCK_SIZE = 1000;
    private static final int CAS_ATTEMPTS = 20;

    private final Coordinator coordinator;
    private final int brokerId;
    private long next;
    private long blockEnd = -1;

    ProducerIdAllocator(Coordinator coordinator, int brokerId) {
        this.coordinator = coordinator;
        this.brokerId = brokerId;
    }

    @Override
    public ProducerIdAndEpoch initProducerId(String transactionalId, int transactionTimeoutMs, long producerId,
            short producerEpoch) {
        try {
            return new ProducerIdAndEpoch(Errors.NONE, nextId(), (short) 0);
        } catch (CoordinationException | IllegalStateException e) {
            LOG.warn("Cannot allocate a producer id block: {}", e.getMessage());
            return new ProducerIdAndEpoch(Errors.COORDINATOR_NOT_AVAILABLE, -1, (short) -1);
        }
    }

    synchronized long nextId() {
        if (next > blockEnd) {
            claimBlock();
        }
        return next++;
    }

    private void claimBlock() {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Optional<Versioned> current = coordinator.read(BLOCK_PATH);
            long start = 0;
            int expected = Coordinator.ABSENT;
            if (current.isPresent() && current.get().value() != null && current.get().value().length > 0) {
                start = ZNodeDocuments.longValue(ZNodeDocuments.parseObject(current.get().value()), "block_end", -1) + 1;
                expected = current.get().version();
            } else if (current.isPresent()) {
                expected = current.get().version();
            }
            if (start > Long.MAX_VALUE - BLOCK_SIZE) {
                throw new IllegalStateException("Producer ids are exhausted");
            }
            long end = start + BLOCK_SIZE - 1;
            byte[] block = ZNodeDocuments.bytes(ZNodeDocuments.JSON.createObjectBuilder().add("version", 1)
                    .add("broker", brokerId).add("block_start", String.valueOf(start))
                    .add("block_end", String.valueOf(end)).build());
            if (coordinator.compareAndSet(BLOCK_PATH, block, expected) >= 0) {
                next = start;
                blockEnd = end;
                LOG.info("Claimed producer id block {}..{}", start, end);
                return;
            }
        }
        throw new IllegalStateException("Producer id block kept changing concurrently");
    }
}
