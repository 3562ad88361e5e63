package io.samsa.broker;

import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.ProducerIdBlock;

/**
 * Hands out producer ids from blocks of {@value #BLOCK_SIZE} claimed in the cluster metadata
 * ({@link ClusterMetadataStore#claimProducerIdBlock}), so that brokers never give out the same id.
 * <p>
 * Every InitProducerId gets a fresh id at epoch 0. Transactions are not implemented yet, so a
 * transactional id is answered the same way (no fencing of an earlier producer with that id).
 */
final class ProducerIdAllocator implements ProducerIdService {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdAllocator.class);

    static final int BLOCK_SIZE = 1000;

    private final ClusterMetadataStore store;
    private final int brokerId;
    private long next;
    private long blockEnd = -1;

    ProducerIdAllocator(ClusterMetadataStore store, int brokerId) {
        this.store = store;
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
        ProducerIdBlock block = store.claimProducerIdBlock(brokerId, BLOCK_SIZE);
        next = block.firstId();
        blockEnd = block.lastId();
        LOG.info("Claimed producer id block {}..{}", block.firstId(), block.lastId());
    }
}
