package io.samsa.group;

import java.util.function.LongSupplier;

import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;

/**
 * Kafka's {@code kafka.coordinator.group:type=GroupMetadataManager} gauges: the groups this
 * coordinator holds, by state, and their committed offsets. Counted when read, without the
 * groups' locks, so a count may miss a change in flight; nothing is kept up to date on the
 * request paths.
 */
final class GroupMetrics implements MetricSource {

    private static final String DOMAIN = "kafka.coordinator.group";
    private static final String TYPE = "GroupMetadataManager";

    private final Groups groups;
    private final MetricName[] names;
    private final LongSupplier[] gauges;

    GroupMetrics(Groups groups) {
        this.groups = groups;
        GroupState[] states = {GroupState.PREPARING_REBALANCE, GroupState.COMPLETING_REBALANCE, GroupState.STABLE,
            GroupState.DEAD, GroupState.EMPTY};
        names = new MetricName[states.length + 2];
        gauges = new LongSupplier[states.length + 2];
        names[0] = MetricName.of(DOMAIN, TYPE, "NumGroups");
        gauges[0] = () -> groups.all().size();
        names[1] = MetricName.of(DOMAIN, TYPE, "NumOffsets");
        gauges[1] = this::offsets;
        for (int i = 0; i < states.length; i++) {
            GroupState state = states[i];
            names[i + 2] = MetricName.of(DOMAIN, TYPE, "NumGroups" + state);
            gauges[i + 2] = () -> inState(state);
        }
    }

    private long offsets() {
        long n = 0;
        for (ClassicGroup g : groups.all()) {
            n += g.offsets().size();
        }
        return n;
    }

    private long inState(GroupState state) {
        long n = 0;
        for (ClassicGroup g : groups.all()) {
            if (g.state() == state) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void visit(MetricVisitor visitor) {
        for (int i = 0; i < names.length; i++) {
            visitor.gauge(names[i], gauges[i]);
        }
    }
}
