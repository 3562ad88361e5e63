package io.samsa.protocol.kafka.api;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** The APIs served, with the version range of each: the dispatch table and what ApiVersions advertises. */
public final class ApiTable {

    /** One served API. */
    public record Entry(ApiKeys key, short minVersion, short maxVersion, AsyncApiHandler<ApiMessage> handler) {
        public boolean supports(short version) {
            return version >= minVersion && version <= maxVersion;
        }
    }

    private final Map<ApiKeys, Entry> entries = new EnumMap<>(ApiKeys.class);

    /**
     * Registers a synchronous handler; it runs on a request handler thread.
     *
     * @throws IllegalArgumentException when the range is outside what kafka-clients can parse
     */
    public <Q extends ApiMessage> ApiTable register(ApiKeys key, int minVersion, int maxVersion, Class<Q> type,
            ApiHandler<Q> handler) {
        return registerAsync(key, minVersion, maxVersion, type,
                (context, request) -> CompletableFuture.completedFuture(handler.handle(context, request)));
    }

    /**
     * Registers a handler that answers through a stage, for APIs that wait on the broker.
     *
     * @throws IllegalArgumentException when the range is outside what kafka-clients can parse
     */
    public <Q extends ApiMessage> ApiTable registerAsync(ApiKeys key, int minVersion, int maxVersion, Class<Q> type,
            AsyncApiHandler<Q> handler) {
        if (minVersion < key.oldestVersion() || maxVersion > key.latestVersion() || minVersion > maxVersion) {
            throw new IllegalArgumentException(key + " versions " + minVersion + ".." + maxVersion
                    + " are outside " + key.oldestVersion() + ".." + key.latestVersion());
        }
        if (entries.containsKey(key)) {
            throw new IllegalArgumentException(key + " is registered twice");
        }
        AsyncApiHandler<ApiMessage> typed = (context, request) -> handler.handle(context, type.cast(request));
        entries.put(key, new Entry(key, (short) minVersion, (short) maxVersion, typed));
        return this;
    }

    /** Each API served with its highest version. */
    public Map<ApiKeys, Short> maxVersions() {
        Map<ApiKeys, Short> versions = new EnumMap<>(ApiKeys.class);
        entries.forEach((key, entry) -> versions.put(key, entry.maxVersion()));
        return versions;
    }

    public Entry entry(ApiKeys key) {
        return entries.get(key);
    }

    /**
     * The ApiVersions list. Produce advertises Kafka's historical minimum although only v3+ is
     * parsed, as Kafka 4 does, because some librdkafka releases refuse a broker whose Produce
     * minimum is above 0 (KAFKA-18659).
     */
    public ApiVersionCollection apiVersions() {
        ApiVersionCollection collection = new ApiVersionCollection(entries.size());
        for (Entry entry : entries.values()) {
            short min = entry.key() == ApiKeys.PRODUCE
                    ? (short) Math.min(entry.minVersion(), ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION)
                    : entry.minVersion();
            collection.add(new ApiVersion().setApiKey(entry.key().id).setMinVersion(min)
                    .setMaxVersion(entry.maxVersion()));
        }
        return collection;
    }
}
