package io.samsa.protocol.kafka.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.protocol.ApiKeys;

import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;
import io.samsa.protocol.kafka.network.RequestTimes;

/**
 * Kafka's {@code kafka.network:type=RequestMetrics}: per request type the RequestsPerSec meter
 * (per version) and the histograms of the time a request spent in each stage, in ms. As in
 * Kafka, a Fetch counts under {@code Fetch} and under {@code FetchConsumer} or
 * {@code FetchFollower}. Everything is made up front for each API served; a request adds to
 * counters it finds by index.
 */
public final class RequestMetrics implements MetricSource {

    private static final String DOMAIN = "kafka.network";
    private static final String TYPE = "RequestMetrics";

    /** The metrics of one request name. */
    public static final class Group {
        final String request;
        final Meter[] requestsPerVersion;
        final MetricName[] requestsNames;
        final Histogram queue = new Histogram();
        final Histogram local = new Histogram();
        final Histogram remote = new Histogram();
        final Histogram responseQueue = new Histogram();
        final Histogram send = new Histogram();
        final Histogram total = new Histogram();
        private final Histogram[] histograms = {queue, local, remote, responseQueue, send, total};
        private final MetricName[] histogramNames;

        Group(String request, int maxVersion) {
            this.request = request;
            requestsPerVersion = new Meter[maxVersion + 1];
            requestsNames = new MetricName[maxVersion + 1];
            for (int v = 0; v <= maxVersion; v++) {
                requestsPerVersion[v] = new Meter("requests");
                requestsNames[v] = MetricName.of(DOMAIN, TYPE, "RequestsPerSec", "request", request, "version",
                        String.valueOf(v));
            }
            String[] names = {"RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs",
                "ResponseSendTimeMs", "TotalTimeMs"};
            histogramNames = new MetricName[names.length];
            for (int i = 0; i < names.length; i++) {
                histogramNames[i] = MetricName.of(DOMAIN, TYPE, names[i], "request", request);
            }
        }

        void record(short version, long queueMs, long localMs, long remoteMs, long responseQueueMs, long sendMs,
                long totalMs) {
            if (version >= 0 && version < requestsPerVersion.length) {
                requestsPerVersion[version].mark();
            }
            queue.update(queueMs);
            local.update(localMs);
            remote.update(remoteMs);
            responseQueue.update(responseQueueMs);
            send.update(sendMs);
            total.update(totalMs);
        }

        void visit(MetricVisitor visitor) {
            for (int v = 0; v < requestsPerVersion.length; v++) {
                // Kafka makes a version's meter when a request of that version comes; so do we, in effect.
                if (requestsPerVersion[v].count() > 0) {
                    visitor.meter(requestsNames[v], requestsPerVersion[v]);
                }
            }
            for (int i = 0; i < histograms.length; i++) {
                visitor.histogram(histogramNames[i], histograms[i]);
            }
        }

        /** For tests: requests of every version so far. */
        public long requests() {
            long n = 0;
            for (Meter m : requestsPerVersion) {
                n += m.count();
            }
            return n;
        }

        public Histogram totalTime() {
            return total;
        }

        public Histogram remoteTime() {
            return remote;
        }
    }

    /** What a request counts under: one group, or two for a Fetch. */
    public static final class Kind {
        final Group first;
        final Group second;

        Kind(Group first, Group second) {
            this.first = first;
            this.second = second;
        }
    }

    private final Group[] byApiKey;
    private final Kind[] kinds;
    private final Kind fetchConsumer;
    private final Kind fetchFollower;
    private final List<Group> all = new ArrayList<>();

    /** @param served the APIs answered, with the highest version of each; the others get no metrics, as in Kafka */
    public RequestMetrics(Map<ApiKeys, Short> served) {
        int maxId = 0;
        for (ApiKeys k : ApiKeys.values()) {
            maxId = Math.max(maxId, k.id);
        }
        byApiKey = new Group[maxId + 1];
        kinds = new Kind[maxId + 1];
        for (Map.Entry<ApiKeys, Short> e : served.entrySet()) {
            ApiKeys key = e.getKey();
            Group g = new Group(key.name, e.getValue());
            byApiKey[key.id] = g;
            kinds[key.id] = new Kind(g, null);
            all.add(g);
        }
        Group fetch = byApiKey[ApiKeys.FETCH.id];
        if (fetch != null) {
            int maxVersion = served.get(ApiKeys.FETCH);
            Group consumer = new Group(ApiKeys.FETCH.name + "Consumer", maxVersion);
            Group follower = new Group(ApiKeys.FETCH.name + "Follower", maxVersion);
            all.add(consumer);
            all.add(follower);
            fetchConsumer = new Kind(consumer, fetch);
            fetchFollower = new Kind(follower, fetch);
        } else {
            fetchConsumer = null;
            fetchFollower = null;
        }
    }

    /** What a request of {@code key} counts under; for Fetch, say who fetches with {@link #fetch}. */
    public Kind kind(ApiKeys key) {
        return key.id < kinds.length ? kinds[key.id] : null;
    }

    public Kind fetch(boolean fromFollower) {
        return fromFollower ? fetchFollower : fetchConsumer;
    }

    /** The group of a request name ("Produce", "FetchConsumer"), or null. */
    public Group group(String request) {
        for (Group g : all) {
            if (g.request.equals(request)) {
                return g;
            }
        }
        return null;
    }

    /** Records a request whose reply was written at {@code endNanos}, as Kafka's stages add up. */
    public void record(RequestTimes times, long endNanos) {
        if (!(times.kind() instanceof Kind kind)) {
            return;
        }
        long received = times.receivedNanos();
        long dequeued = times.dequeuedNanos();
        long localDone = times.localDoneNanos();
        long completed = times.completedNanos();
        long responseDequeued = times.responseDequeuedNanos();
        long queueMs = millis(dequeued - received);
        long localMs = millis(localDone - dequeued);
        long remoteMs = millis(completed - localDone);
        long responseQueueMs = millis(responseDequeued - completed);
        long sendMs = millis(endNanos - responseDequeued);
        long totalMs = millis(endNanos - received);
        kind.first.record(times.version(), queueMs, localMs, remoteMs, responseQueueMs, sendMs, totalMs);
        if (kind.second != null) {
            kind.second.record(times.version(), queueMs, localMs, remoteMs, responseQueueMs, sendMs, totalMs);
        }
    }

    private static long millis(long nanos) {
        return Math.round(Math.max(nanos, 0) / (double) TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Override
    public void visit(MetricVisitor visitor) {
        for (Group g : all) {
            g.visit(visitor);
        }
    }
}
