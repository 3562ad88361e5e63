package io.samsa.protocol.kafka.testkit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/** A blocking socket that speaks raw Kafka frames, for requests no real client would send. */
public final class RawClient implements AutoCloseable {

    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId;

    public RawClient(InetSocketAddress address) throws IOException {
        socket.setTcpNoDelay(true);
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends one request built from a generated message and returns the parsed response body. */
    public ApiMessage call(ApiKeys key, short version, ApiMessage request) throws IOException {
        int id = send(key, version, request);
        return receive(key, version, id);
    }

    public int send(ApiKeys key, short version, ApiMessage request) throws IOException {
        int id = ++correlationId;
        RequestHeader header = new RequestHeader(key, version, "raw-client", id);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int headerSize = header.data().size(cache, header.headerVersion());
        int bodySize = request.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(headerSize + bodySize);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.data().write(accessor, cache, header.headerVersion());
        request.write(accessor, cache, version);
        sendFrame(buffer.array());
        return id;
    }

    public ApiMessage receive(ApiKeys key, short version, int expectedCorrelationId) throws IOException {
        ByteBuffer frame = ByteBuffer.wrap(readFrame());
        ResponseHeader header = ResponseHeader.parse(frame, key.responseHeaderVersion(version));
        if (header.correlationId() != expectedCorrelationId) {
            throw new IOException("correlation id " + header.correlationId() + ", expected " + expectedCorrelationId);
        }
        ApiMessage response = key.messageType.newResponse();
        response.read(new ByteBufferAccessor(frame), version);
        return response;
    }

    public void sendFrame(byte[] payload) throws IOException {
        out.write(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** This end's address as the server names it, e.g. {@code /127.0.0.1:53122}. */
    public String localAddress() {
        return String.valueOf(socket.getLocalSocketAddress());
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    public byte[] readFrame() throws IOException {
        int size = in.readInt();
        byte[] payload = new byte[size];
        in.readFully(payload);
        return payload;
    }

    /** True when the server closed the connection (end of stream or reset) within the timeout. */
    public boolean closedByServer(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    /** A request header in the layout (v1, or v2 when {@code flexible}) the server expects. */
    public static byte[] header(short apiKey, short version, int correlationId, boolean flexible) {
        ByteBuffer buffer = MessageUtil.toByteBufferAccessor(new org.apache.kafka.common.message.RequestHeaderData()
                .setRequestApiKey(apiKey).setRequestApiVersion(version).setCorrelationId(correlationId)
                .setClientId("raw-client"), flexible ? (short) 2 : (short) 1).buffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] result = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
