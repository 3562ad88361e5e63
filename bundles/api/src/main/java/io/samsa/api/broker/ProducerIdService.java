package io.samsa.api.broker;

import org.apache.kafka.common.protocol.Errors;
import org.osgi.annotation.versioning.ProviderType;

/** InitProducerId: hands out producer ids and epochs for idempotent (and later transactional) producers. */
@ProviderType
public interface ProducerIdService {

    /**
     * @param transactionalId null for an idempotent producer without transactions
     * @param producerId      the producer's current id when it re-initialises, or -1
     * @param producerEpoch   the producer's current epoch, or -1
     */
    ProducerIdAndEpoch initProducerId(String transactionalId, int transactionTimeoutMs, long producerId,
            short producerEpoch);

    record ProducerIdAndEpoch(Errors error, long producerId, short producerEpoch) {
    }
}
