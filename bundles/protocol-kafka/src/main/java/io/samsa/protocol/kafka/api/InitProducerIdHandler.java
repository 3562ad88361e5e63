package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.ProducerIdService.ProducerIdAndEpoch;

/** InitProducerId: a producer id and epoch for an idempotent producer. */
final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequestData> {

    private final ProducerIdService producerIds;

    InitProducerIdHandler(ProducerIdService producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public ApiMessage handle(RequestContext context, InitProducerIdRequestData request) {
        ProducerIdAndEpoch result = producerIds.initProducerId(request.transactionalId(),
                request.transactionTimeoutMs(), request.producerId(), request.producerEpoch());
        return new InitProducerIdResponseData()
                .setErrorCode(result.error().code())
                .setProducerId(result.producerId())
                .setProducerEpoch(result.producerEpoch());
    }
}
