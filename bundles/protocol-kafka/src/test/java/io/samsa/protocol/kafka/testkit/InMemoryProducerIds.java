package io.samsa.protocol.kafka.testkit;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.broker.ProducerIdService;

/** Hands out increasing producer ids with epoch 0; refuses transactional ids. */
public final class InMemoryProducerIds implements ProducerIdService {

    private final AtomicLong next = new AtomicLong(1000);

    @Override
    public ProducerIdAndEpoch initProducerId(String transactionalId, int transactionTimeoutMs, long producerId,
            short producerEpoch) {
        if (transactionalId != null) {
            return new ProducerIdAndEpoch(Errors.COORDINATOR_NOT_AVAILABLE, -1, (short) -1);
        }
        return new ProducerIdAndEpoch(Errors.NONE, next.getAndIncrement(), (short) 0);
    }
}
