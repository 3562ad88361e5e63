package io.samsa.protocol.kafka.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.requests.RequestHeader;

import io.samsa.api.broker.Caller;
import io.samsa.protocol.kafka.network.ClientChannel;

/** The request being served: its header and the connection it came from. */
public final class RequestContext {

    private final RequestHeader header;
    private final ClientChannel client;
    private volatile boolean closeConnection;

    public RequestContext(RequestHeader header, ClientChannel client) {
        this.header = header;
        this.client = client;
    }

    public RequestHeader header() {
        return header;
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }

    public String clientAddress() {
        return client.clientAddress();
    }

    public Caller caller() {
        return new Caller(header.clientId(), client.clientAddress(), header.apiVersion());
    }

    /** The request's bytes stay with someone else; the connection must read the next one elsewhere. */
    public void abandonRequestBuffer() {
        client.abandonReadBuffer();
    }

    /** Closes the connection once this request is served (how Kafka signals an acks=0 produce error). */
    public void closeConnection() {
        closeConnection = true;
    }

    boolean closeRequested() {
        return closeConnection;
    }

    /** A stage's failure as itself rather than wrapped. */
    static Exception unwrap(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof Exception exception) {
            return exception;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new RuntimeException(cause);
    }
}
