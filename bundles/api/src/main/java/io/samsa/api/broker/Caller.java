package io.samsa.api.broker;

/**
 * Who sent a request: used for group member ids, logging and error messages.
 *
 * @param clientId      the request header's client id
 * @param clientAddress the peer address, e.g. {@code /127.0.0.1:53122}
 * @param apiVersion    the version of the request being served
 */
public record Caller(String clientId, String clientAddress, short apiVersion) {
}
