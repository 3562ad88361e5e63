package io.samsa.protocol.kafka.network;

/** What a request processor may know and ask of the connection a request came from. */
public interface ClientChannel {

    /** The peer address, e.g. {@code /127.0.0.1:53122}. */
    String clientAddress();

    /**
     * Stops the connection from reusing the current read buffer, because something still holds
     * the request bytes (an append that outlived its wait). Safe from any thread before the
     * request's reply is handed back.
     */
    void abandonReadBuffer();

    /** The times of the request in flight, for request metrics; null where nobody keeps them. */
    default RequestTimes times() {
        return null;
    }
}
