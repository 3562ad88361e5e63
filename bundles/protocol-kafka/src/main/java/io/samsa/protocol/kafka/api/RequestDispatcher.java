package io.samsa.protocol.kafka.api;

import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.protocol.kafka.network.ClientChannel;
import io.samsa.protocol.kafka.network.Reply;
import io.samsa.protocol.kafka.network.RequestProcessor;

/**
 * Parses a request frame, checks the API and version against the {@link ApiTable}, calls the
 * handler and encodes its response. Requests that cannot be understood close the connection, as
 * in Kafka, except ApiVersions at an unknown version, which is answered so that the client can
 * retry at a version both sides speak.
 */
public final class RequestDispatcher implements RequestProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    private final ApiTable table;

    public RequestDispatcher(ApiTable table) {
        this.table = table;
    }

    @Override
    public Reply process(ByteBuffer request, ClientChannel client) {
        int start = request.position();
        short apiKey = request.remaining() >= 2 ? request.getShort(start) : -1;
        short version = request.remaining() >= 4 ? request.getShort(start + 2) : -1;
        RequestHeader header;
        try {
            header = RequestHeader.parse(request);
        } catch (RuntimeException e) {
            LOG.warn("Closing the connection from {}: cannot parse the request header (api key {}, version {}): {}",
                    client.clientAddress(), apiKey, version, e.getMessage());
            return Reply.CLOSE;
        }
        ApiKeys key = header.apiKey();
        ApiTable.Entry entry = table.entry(key);
        if (entry == null) {
            LOG.warn("Closing the connection from {}: API {} (key {}) version {} is not supported",
                    client.clientAddress(), key.name, key.id, version);
            return Reply.CLOSE;
        }
        if (!entry.supports(version)) {
            if (key == ApiKeys.API_VERSIONS) {
                // Answered in the v0 layout every client can read, listing what we speak.
                return encode(header, new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                        .setApiKeys(table.apiVersions()), (short) 0, client, false);
            }
            LOG.warn("Closing the connection from {}: {} version {} is not supported (supported: {}..{})",
                    client.clientAddress(), key.name, version, entry.minVersion(), entry.maxVersion());
            return Reply.CLOSE;
        }
        AbstractRequest body;
        try {
            body = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(request)).request;
        } catch (RuntimeException e) {
            LOG.warn("Closing the connection from {}: cannot parse the body of {} version {}: {}",
                    client.clientAddress(), key.name, version, e.toString());
            return Reply.CLOSE;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} version {} (correlation id {}) from {} client id {}", key.name, version,
                    header.correlationId(), client.clientAddress(), header.clientId());
        }
        RequestContext context = new RequestContext(header, client);
        ApiMessage response;
        try {
            response = entry.handler().handle(context, body.data());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.CLOSE;
        } catch (Exception e) {
            Exception cause = RequestContext.unwrap(e);
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return Reply.CLOSE;
            }
            if (cause instanceof ApiException) {
                LOG.debug("{} version {} from {} failed: {}", key.name, version, client.clientAddress(), cause.toString());
            } else {
                LOG.error("{} version {} from {} failed", key.name, version, client.clientAddress(), cause);
            }
            response = body.getErrorResponse(0, cause).data();
        }
        if (response == null) {
            return context.closeRequested() ? Reply.CLOSE : Reply.NONE;
        }
        return encode(header, response, version, client, context.closeRequested());
    }

    private static Reply encode(RequestHeader header, ApiMessage response, short version, ClientChannel client,
            boolean close) {
        Send send;
        try {
            send = SendBuilder.buildResponseSend(header.toResponseHeader(), response, version);
        } catch (RuntimeException e) {
            LOG.error("Closing the connection from {}: cannot encode the {} version {} response", client.clientAddress(),
                    header.apiKey().name, version, e);
            return Reply.CLOSE;
        }
        return new Reply(send, close);
    }
}
