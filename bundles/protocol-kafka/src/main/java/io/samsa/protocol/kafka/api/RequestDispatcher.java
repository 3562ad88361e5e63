package io.samsa.protocol.kafka.api;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.protocol.kafka.metrics.RequestMetrics;
import io.samsa.protocol.kafka.network.ClientChannel;
import io.samsa.protocol.kafka.network.Reply;
import io.samsa.protocol.kafka.network.RequestProcessor;
import io.samsa.protocol.kafka.network.RequestTimes;

/**
 * Parses a request frame, checks the API and version against the {@link ApiTable}, calls the
 * handler and encodes its response when the handler's stage completes, on whichever thread
 * completes it. Requests that cannot be understood close the connection, as
 * in Kafka, except ApiVersions at an unknown version, which is answered so that the client can
 * retry at a version both sides speak.
 */
public final class RequestDispatcher implements RequestProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    private static final CompletionStage<Reply> CLOSE = CompletableFuture.completedFuture(Reply.CLOSE);

    private final ApiTable table;
    /** Null when nobody wants the request metrics (some tests). */
    private final RequestMetrics metrics;

    public RequestDispatcher(ApiTable table) {
        this(table, null);
    }

    public RequestDispatcher(ApiTable table, RequestMetrics metrics) {
        this.table = table;
        this.metrics = metrics;
    }

    @Override
    public void replySent(ClientChannel client, long nowNanos) {
        RequestTimes times = client.times();
        if (metrics != null && times != null) {
            metrics.record(times, nowNanos);
        }
    }

    @Override
    public CompletionStage<Reply> process(ByteBuffer request, ClientChannel client) {
        int start = request.position();
        short apiKey = request.remaining() >= 2 ? request.getShort(start) : -1;
        short version = request.remaining() >= 4 ? request.getShort(start + 2) : -1;
        RequestHeader header;
        try {
            header = RequestHeader.parse(request);
        } catch (RuntimeException e) {
            LOG.warn("Closing the connection from {}: cannot parse the request header (api key {}, version {}): {}",
                    client.clientAddress(), apiKey, version, e.getMessage());
            return CLOSE;
        }
        ApiKeys key = header.apiKey();
        ApiTable.Entry entry = table.entry(key);
        if (entry == null) {
            LOG.warn("Closing the connection from {}: API {} (key {}) version {} is not supported",
                    client.clientAddress(), key.name, key.id, version);
            return CLOSE;
        }
        if (!entry.supports(version)) {
            if (key == ApiKeys.API_VERSIONS) {
                // Answered in the v0 layout every client can read, listing what we speak.
                ApiVersionsResponseData unsupported = new ApiVersionsResponseData()
                        .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setApiKeys(table.apiVersions());
                return CompletableFuture.completedFuture(encode(header, unsupported, (short) 0, client, false));
            }
            LOG.warn("Closing the connection from {}: {} version {} is not supported (supported: {}..{})",
                    client.clientAddress(), key.name, version, entry.minVersion(), entry.maxVersion());
            return CLOSE;
        }
        AbstractRequest body;
        try {
            body = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(request)).request;
        } catch (RuntimeException e) {
            LOG.warn("Closing the connection from {}: cannot parse the body of {} version {}: {}",
                    client.clientAddress(), key.name, version, e.toString());
            return CLOSE;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} version {} (correlation id {}) from {} client id {}", key.name, version,
                    header.correlationId(), client.clientAddress(), header.clientId());
        }
        RequestTimes times = client.times();
        if (metrics != null && times != null) {
            times.kind(key == ApiKeys.FETCH ? metrics.fetch(((FetchRequest) body).isFromFollower()) : metrics.kind(key),
                    version);
        }
        RequestContext context = new RequestContext(header, client);
        CompletionStage<? extends ApiMessage> response;
        try {
            response = entry.handler().handle(context, body.data());
        } catch (Exception e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handle((answer, failure) -> reply(header, context, client,
                failure == null ? answer : failedResponse(header, body, client, failure)));
    }

    private static ApiMessage failedResponse(RequestHeader header, AbstractRequest body, ClientChannel client,
            Throwable failure) {
        Exception cause = RequestContext.unwrap(failure);
        if (cause instanceof ApiException) {
            LOG.debug("{} version {} from {} failed: {}", header.apiKey().name, header.apiVersion(),
                    client.clientAddress(), cause.toString());
        } else {
            LOG.error("{} version {} from {} failed", header.apiKey().name, header.apiVersion(),
                    client.clientAddress(), cause);
        }
        return body.getErrorResponse(0, cause).data();
    }

    private static Reply reply(RequestHeader header, RequestContext context, ClientChannel client,
            ApiMessage response) {
        if (response == null) {
            return context.closeRequested() ? Reply.CLOSE : Reply.NONE;
        }
        return encode(header, response, header.apiVersion(), client, context.closeRequested());
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
