package io.samsa.protocol.kafka.network;

import java.nio.ByteBuffer;

/** Serves the requests a {@link Connection} reads, one at a time. */
public interface RequestProcessor {

    /**
     * Serves one request.
     *
     * @param request header and body of one frame (without the size prefix); the buffer is reused
     *                for the next request unless {@link ClientChannel#abandonReadBuffer()} is called
     * @return what to do next; problems with the request are logged by the processor itself
     */
    Reply process(ByteBuffer request, ClientChannel client);
}
