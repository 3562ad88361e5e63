package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves one API: turns a parsed request into its response.
 *
 * @param <Q> the generated request message
 */
@FunctionalInterface
public interface ApiHandler<Q extends ApiMessage> {

    /**
     * @return the response, written at the request's version; null to send none (acks=0
     *         produce). An exception is answered with the request's error response.
     */
    ApiMessage handle(RequestContext context, Q request) throws Exception;
}
