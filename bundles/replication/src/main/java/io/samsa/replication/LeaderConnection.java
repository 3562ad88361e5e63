package io.samsa.replication;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;

import io.samsa.api.coordination.BrokerRegistration;

/**
 * One blocking TCP connection to a leader's listener, owned by one fetcher thread: Kafka's
 * framing (a 4-byte size, then header and body), ApiVersions once, then one Fetch at a time.
 * Blocking is fine here: the thread does nothing else while its fetch is out, and the socket
 * timeout ({@code replica.socket.timeout.ms}) bounds every wait. The receive buffer is reused,
 * so a steady stream of fetches allocates little beyond the decoded response.
 */
final class LeaderConnection implements LeaderChannel {
    /** ApiVersions v3: flexible, served by Samsa and every Kafka since 2.4. */
    private static final short API_VERSIONS_VERSION = 3;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String clientId;
    private final String peer;
    private byte[] receive = new byte[64 * 1024];
    private int correlationId;
    private short fetchVersion;

    private LeaderConnection(Socket socket, String clientId, String peer) throws IOException {
        this.socket = socket;
        this.clientId = clientId;
        this.peer = peer;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 16 * 1024));
    }

    /** Connects and agrees a Fetch version. */
    static LeaderConnection connect(BrokerRegistration.Endpoint endpoint, String clientId, int timeoutMs)
            throws IOException {
        if (!"PLAINTEXT".equals(endpoint.securityProtocol())) {
            throw new IOException("Listener " + endpoint + " uses " + endpoint.securityProtocol()
                    + "; the replica fetcher speaks PLAINTEXT only (set inter.broker.listener.name to a"
                    + " PLAINTEXT listener)");
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), timeoutMs);
            s.setSoTimeout(timeoutMs);
            LeaderConnection c = new LeaderConnection(s, clientId, endpoint.toString());
            c.negotiate();
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void negotiate() throws IOException {
        ApiVersionsRequest request = new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("samsa-replica-fetcher").setClientSoftwareVersion("1"), API_VERSIONS_VERSION);
        ApiVersionsResponseData versions = ((ApiVersionsResponse) roundTrip(request)).data();
        if (versions.errorCode() != Errors.NONE.code()) {
            throw new IOException(peer + " answered ApiVersions with " + Errors.forCode(versions.errorCode()));
        }
        ApiVersionsResponseData.ApiVersion fetch = versions.apiKeys().find(ApiKeys.FETCH.id);
        short v = fetch == null ? -1 : FetchRequests.version(fetch.maxVersion());
        if (v < 0) {
            throw new IOException(peer + " serves Fetch " + (fetch == null ? "not at all" : "up to v" + fetch.maxVersion())
                    + "; a follower needs v" + FetchRequests.MIN_VERSION + " or later (leader epochs in fetches)");
        }
        fetchVersion = v;
    }

    @Override
    public short fetchVersion() {
        return fetchVersion;
    }

    @Override
    public FetchResponseData fetch(FetchRequestData request, short version) throws IOException {
        return ((FetchResponse) roundTrip(new FetchRequest(request, version))).data();
    }

    private AbstractResponse roundTrip(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, ++correlationId);
        ByteBuffer frame = request.serializeWithHeader(header);
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();
        int size = in.readInt();
        if (size < 0) {
            throw new IOException(peer + " sent a response of negative size " + size);
        }
        if (size > receive.length) {
            receive = new byte[Math.max(size, receive.length * 2)];
        }
        in.readFully(receive, 0, size);
        try {
            return AbstractResponse.parseResponse(ByteBuffer.wrap(receive, 0, size), header);
        } catch (RuntimeException e) {
            throw new IOException(peer + " sent a " + request.apiKey() + " response that does not parse: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return peer;
    }
}
