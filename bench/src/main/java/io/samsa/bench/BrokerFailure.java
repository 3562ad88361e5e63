package io.samsa.bench;

/** A broker under test failed: it would not start, stopped answering, or died during a run. */
public final class BrokerFailure extends RuntimeException {

    public BrokerFailure(String message) {
        super(message);
    }

    public BrokerFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
