package io.samsa.protocol.kafka.network;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/** Serves the requests the network threads read, one at a time per connection. */
public interface RequestProcessor {

    /**
     * Starts serving one request, on a request handler thread; must not block on the broker.
     *
     * @param request header and body of one frame (without the size prefix); the connection reuses
     *                the buffer once the reply is sent, unless {@link ClientChannel#abandonReadBuffer()}
     *                was called
     * @return what to send and whether to close; problems with the request are logged by the
     *         processor itself and answered as a reply, never as a failed stage
     */
    CompletionStage<Reply> process(ByteBuffer request, ClientChannel client);

    /**
     * The reply to the request in flight on {@code client} is written (or there was none to
     * write), on the network thread; the request's {@link ClientChannel#times()} are complete.
     */
    default void replySent(ClientChannel client, long nowNanos) {
    }
}
