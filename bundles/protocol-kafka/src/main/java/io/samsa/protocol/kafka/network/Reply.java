package io.samsa.protocol.kafka.network;

import org.apache.kafka.common.network.Send;

/**
 * The outcome of serving one request.
 *
 * @param send  the response to write, or null
 * @param close true to close the connection (after writing {@code send}, if any)
 */
public record Reply(Send send, boolean close) {

    /** No response (a produce request with acks=0). */
    public static final Reply NONE = new Reply(null, false);

    /** Close the connection without answering. */
    public static final Reply CLOSE = new Reply(null, true);

    public static Reply of(Send send) {
        return new Reply(send, false);
    }
}
