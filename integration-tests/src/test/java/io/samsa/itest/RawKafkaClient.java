package io.samsa.itest;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One blocking connection to one chosen broker, speaking Kafka requests built with the client
 * library's own message classes. The Java clients pick the node a request goes to and follow
 * metadata away from a broker; cluster tests need to ask one broker what it believes (a broker
 * cut off ZooKeeper still answers from its stale view) or to write straight to a deposed leader.
 */
final class RawKafkaClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private int correlationId;

    RawKafkaClient(int port, Duration timeout) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code request} at {@code version} and waits for its response (bounded by the socket timeout). */
    @SuppressWarnings("unchecked")
    <R extends AbstractResponse> R send(AbstractRequest.Builder<?> request, short version) throws IOException {
        AbstractRequest built = request.build(version);
        RequestHeader header = new RequestHeader(built.apiKey(), version, "samsa-harness", ++correlationId);
        ByteBuffer frame = built.serializeWithHeader(header);
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }

    /** What {@code port}'s broker itself answers to a Metadata request for {@code topics} (none: brokers only). */
    static MetadataResponse metadata(int port, List<String> topics, Duration timeout) throws IOException {
        try (RawKafkaClient c = new RawKafkaClient(port, timeout)) {
            // v12: leader epochs and topic ids; served by Samsa (0-13) and Kafka 2.8+
            return c.send(new MetadataRequest.Builder(topics, false), (short) 12);
        }
    }

    /** The broker ids {@code port}'s broker itself reports in a Metadata response. */
    static Set<Integer> brokersSeenBy(int port, Duration timeout) throws IOException {
        Set<Integer> ids = new HashSet<>();
        for (Node n : metadata(port, List.of(), timeout).brokers()) {
            ids.add(n.id());
        }
        return ids;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
