package io.samsa.protocol.kafka.api;

import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves one API whose answer comes from the broker later: returns at once with a stage that
 * completes with the response. Called on a request handler thread, which it must not block.
 *
 * @param <Q> the generated request message
 */
@FunctionalInterface
public interface AsyncApiHandler<Q extends ApiMessage> {

    /**
     * @return the response, written at the request's version; completing with null sends none
     *         (acks=0 produce). A failure, thrown or in the stage, is answered with the request's
     *         error response.
     */
    CompletionStage<? extends ApiMessage> handle(RequestContext context, Q request) throws Exception;
}
