package io.samsa.protocol.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricVisitor;
import io.samsa.protocol.kafka.metrics.RequestMetrics;
import io.samsa.protocol.kafka.testkit.RawClient;
import io.samsa.protocol.kafka.testkit.TestBroker;

public class RequestMetricsTest {

    private TestBroker broker;
    private RawClient client;
    private RequestMetrics metrics;

    @Before
    public void setUp() throws Exception {
        broker = new TestBroker();
        broker.cluster.createTopic("m", 1, (short) 1, Map.of(), Map.of(), false);
        client = new RawClient(broker.address());
        metrics = broker.server.requestMetrics();
    }

    @After
    public void tearDown() throws Exception {
        client.close();
        broker.close();
    }

    /** The reply is recorded once written, just after the client may have read it. */
    private static void awaitRequests(RequestMetrics.Group group, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (group.requests() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, group.requests());
    }

    private static FetchRequestData fetch(int replicaId) {
        FetchRequestData request = new FetchRequestData().setReplicaId(replicaId).setMaxWaitMs(0).setMinBytes(0)
                .setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(-1);
        request.topics().add(new FetchTopic().setTopic("m").setPartitions(List.of(
                new FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 16))));
        return request;
    }

    @Test
    public void eachRequestCountsUnderItsTypeAndAFetchAlsoUnderConsumerOrFollower() throws Exception {
        client.call(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                .setClientSoftwareName("t").setClientSoftwareVersion("1"));
        awaitRequests(metrics.group("ApiVersions"), 1);

        client.call(ApiKeys.FETCH, (short) 12, fetch(-1));
        awaitRequests(metrics.group("FetchConsumer"), 1);
        awaitRequests(metrics.group("Fetch"), 1);
        assertEquals(0, metrics.group("FetchFollower").requests());

        client.call(ApiKeys.FETCH, (short) 12, fetch(1));
        awaitRequests(metrics.group("FetchFollower"), 1);
        awaitRequests(metrics.group("Fetch"), 2);
        assertEquals(1, metrics.group("FetchConsumer").requests());
        assertEquals(2, metrics.group("Fetch").totalTime().count());
        assertEquals(2, metrics.group("Fetch").remoteTime().count());
        assertEquals(0, metrics.group("Produce").requests());
    }

    @Test
    public void theSourceListsKafkasNamesWithAVersionMeterOnlyForVersionsSeen() throws Exception {
        client.call(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                .setClientSoftwareName("t").setClientSoftwareVersion("1"));
        awaitRequests(metrics.group("ApiVersions"), 1);
        Map<String, Object> listed = new HashMap<>();
        metrics.visit(new MetricVisitor() {
            @Override
            public void meter(MetricName name, Meter meter) {
                listed.put(name.objectName(), meter);
            }

            @Override
            public void gauge(MetricName name, LongSupplier value) {
                listed.put(name.objectName(), value);
            }

            @Override
            public void histogram(MetricName name, Histogram histogram) {
                listed.put(name.objectName(), histogram);
            }

            @Override
            public void info(MetricName name, Map<String, Object> attributes) {
                listed.put(name.objectName(), attributes);
            }
        });
        Meter apiVersions = (Meter) listed.get("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=ApiVersions,version=3");
        assertNotNull(listed.keySet().toString(), apiVersions);
        assertEquals(1, apiVersions.count());
        assertFalse(listed.containsKey("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=ApiVersions,version=2"));
        for (String request : List.of("Produce", "Fetch", "FetchConsumer", "FetchFollower", "Metadata")) {
            for (String name : List.of("TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs",
                    "ResponseQueueTimeMs", "ResponseSendTimeMs")) {
                String objectName = "kafka.network:type=RequestMetrics,name=" + name + ",request=" + request;
                assertTrue(objectName, listed.get(objectName) instanceof Histogram);
            }
        }
        assertEquals(1, ((Histogram) listed.get("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=ApiVersions"))
                .count());
    }

    @Test
    public void anApiNotServedHasNoMetrics() {
        assertNull(new RequestMetrics(Map.of(ApiKeys.PRODUCE, (short) 11)).group("Fetch"));
        assertNull(new RequestMetrics(Map.of(ApiKeys.PRODUCE, (short) 11)).fetch(false));
    }
}
