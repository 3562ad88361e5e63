package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/** ApiVersions: the APIs and version ranges this broker serves. No features are advertised. */
final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequestData> {

    private final ApiTable table;
    private volatile ApiVersionCollection versions;

    ApiVersionsHandler(ApiTable table) {
        this.table = table;
    }

    @Override
    public ApiMessage handle(RequestContext context, ApiVersionsRequestData request) {
        ApiVersionsResponseData response = new ApiVersionsResponseData().setApiKeys(versions());
        if (context.apiVersion() >= 3 && !new ApiVersionsRequest(request, context.apiVersion()).isValid()) {
            response.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        return response;
    }

    /** Built once the table is complete; responses only read it. */
    private ApiVersionCollection versions() {
        ApiVersionCollection v = versions;
        if (v == null) {
            v = table.apiVersions();
            versions = v;
        }
        return v;
    }
}
