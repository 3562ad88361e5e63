package io.samsa.group;

import static org.junit.Assert.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.Before;
import org.junit.Test;

import io.samsa.api.metrics.Histogram;
import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricVisitor;

/** The GroupMetadataManager gauges: groups by state and committed offsets. */
public class GroupMetricsTest extends CoordinatorTestSupport {
    GroupCoordinatorService c;

    @Before
    public void setUp() {
        cluster.addTopic("orders", 3, Map.of());
        c = start(config(0));
    }

    private Map<String, Long> gauges() {
        Map<String, Long> values = new HashMap<>();
        c.metrics().visit(new MetricVisitor() {
            @Override
            public void meter(MetricName name, Meter meter) {
            }

            @Override
            public void gauge(MetricName name, LongSupplier value) {
                assertEquals("kafka.coordinator.group:type=GroupMetadataManager,name=" + name.name(),
                        name.objectName());
                values.put(name.name(), value.getAsLong());
            }

            @Override
            public void histogram(MetricName name, Histogram histogram) {
            }

            @Override
            public void info(MetricName name, Map<String, Object> attributes) {
            }
        });
        return values;
    }

    @Test
    public void groupsAreCountedByStateWithTheirOffsets() {
        assertEquals(Map.of("NumGroups", 0L, "NumOffsets", 0L, "NumGroupsPreparingRebalance", 0L,
                "NumGroupsCompletingRebalance", 0L, "NumGroupsStable", 0L, "NumGroupsDead", 0L, "NumGroupsEmpty", 0L),
                gauges());

        awaitReady(c, "simple");
        get(c.commitOffsets(caller("c", 8), OffsetCommitTest.commit("simple", -1, "", "orders", 10, 20, 30)));
        awaitReady(c, "members");
        JoinGroupResponseData joined = get(c.joinGroup(caller("client-a", 3),
                join("members", "", null, 10_000, 10_000, "range")));
        assertError(Errors.NONE, joined.errorCode());

        Map<String, Long> m = gauges();
        assertEquals(2L, (long) m.get("NumGroups"));
        assertEquals(3L, (long) m.get("NumOffsets"));
        assertEquals("the group that only commits has no members", 1L, (long) m.get("NumGroupsEmpty"));
        assertEquals("joined, waiting for its leader's SyncGroup", 1L, (long) m.get("NumGroupsCompletingRebalance"));

        syncOk(c, sync("members", joined, assign(joined.memberId(), "all")));
        assertEquals(1L, (long) gauges().get("NumGroupsStable"));
        assertEquals(0L, (long) gauges().get("NumGroupsCompletingRebalance"));
    }
}
