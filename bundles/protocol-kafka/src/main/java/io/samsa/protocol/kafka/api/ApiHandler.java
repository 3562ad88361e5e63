package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves one API synchronously: turns a parsed request into its response on the request handler
 * thread. For handlers that do not wait on the broker; those that do are {@link AsyncApiHandler}s.
 *
 * @param <Q> the generated request message
 */
@FunctionalInterface
public interface ApiHandler<Q extends ApiMessage> {

    /**
     * @return the response, written at the request's version; null to send none. An exception is
     *         answered with the request's error response.
     */
    ApiMessage handle(RequestContext context, Q request) throws Exception;
}
