package io.samsa.replication;

import java.io.IOException;

import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;

import io.samsa.api.coordination.BrokerRegistration;

/**
 * A fetcher's connection to one leader. The response's records stay valid until the next call
 * (they may live in the connection's receive buffer).
 */
interface LeaderChannel extends AutoCloseable {

    /** The Fetch version to send: the highest both sides serve. */
    short fetchVersion();

    FetchResponseData fetch(FetchRequestData request, short version) throws IOException;

    /** Closes the connection; a blocked {@link #fetch} on another thread fails. */
    @Override
    void close();

    /** Opens channels; the production one is {@link LeaderConnection#connect}. */
    interface Factory {
        LeaderChannel connect(BrokerRegistration.Endpoint endpoint, String clientId, int timeoutMs)
                throws IOException;
    }
}
