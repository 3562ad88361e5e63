package io.samsa.webconsole.kafka;

import java.util.concurrent.TimeoutException;

/** A call to the cluster failed; the message is Kafka's own error text, named by its error class. */
final class KafkaCallException extends Exception {
    private static final long serialVersionUID = 1L;

    KafkaCallException(Throwable cause) {
        super(describe(cause), cause);
    }

    static String describe(Throwable cause) {
        if (cause instanceof TimeoutException) {
            return "the broker did not answer within " + KafkaConnection.CALL_TIMEOUT.toSeconds() + " s";
        }
        if (cause instanceof InterruptedException) {
            return "interrupted while waiting for the broker";
        }
        String name = cause.getClass().getSimpleName();
        String message = cause.getMessage();
        return message == null || message.isBlank() ? name : name + ": " + message;
    }
}
