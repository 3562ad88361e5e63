package io.samsa.replication;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.samsa.api.metrics.Meter;
import io.samsa.api.metrics.MetricName;
import io.samsa.api.metrics.MetricSource;
import io.samsa.api.metrics.MetricVisitor;

/**
 * The ReplicaManager metrics replication decides: ISR shrinks and expands (counted when the
 * change is written, as Kafka counts them once the controller took them), and the partitions led
 * here with fewer in-sync replicas than replicas, than min.insync.replicas, or exactly that many.
 */
final class ReplicationMetrics implements MetricSource {

    private static final String DOMAIN = "kafka.server";
    private static final String TYPE = "ReplicaManager";
    private static final MetricName SHRINKS = MetricName.of(DOMAIN, TYPE, "IsrShrinksPerSec");
    private static final MetricName EXPANDS = MetricName.of(DOMAIN, TYPE, "IsrExpandsPerSec");
    private static final MetricName FAILED_ISR_UPDATES = MetricName.of(DOMAIN, TYPE, "FailedIsrUpdatesPerSec");
    private static final MetricName UNDER_REPLICATED = MetricName.of(DOMAIN, TYPE, "UnderReplicatedPartitions");
    private static final MetricName UNDER_MIN_ISR = MetricName.of(DOMAIN, TYPE, "UnderMinIsrPartitionCount");
    private static final MetricName AT_MIN_ISR = MetricName.of(DOMAIN, TYPE, "AtMinIsrPartitionCount");

    final Meter isrShrinks = new Meter("shrinks");
    final Meter isrExpands = new Meter("expands");
    final Meter failedIsrUpdates = new Meter("failedUpdates");
    /** The running runtimes (one per broker start); a stopped one is dropped. */
    private final List<BrokerReplication> runtimes = new CopyOnWriteArrayList<>();
    private final LongSupplier underReplicated = () -> count(LeaderState::underReplicated);
    private final LongSupplier underMinIsr = () -> count(LeaderState::underMinIsr);
    private final LongSupplier atMinIsr = () -> count(LeaderState::atMinIsr);

    void add(BrokerReplication runtime) {
        runtimes.removeIf(r -> !r.running());
        runtimes.add(runtime);
    }

    private long count(Predicate<LeaderState> condition) {
        long n = 0;
        for (BrokerReplication r : runtimes) {
            if (r.running()) {
                n += r.leaders().stream().filter(condition).count();
            }
        }
        return n;
    }

    @Override
    public void visit(MetricVisitor visitor) {
        visitor.meter(SHRINKS, isrShrinks);
        visitor.meter(EXPANDS, isrExpands);
        visitor.meter(FAILED_ISR_UPDATES, failedIsrUpdates);
        visitor.gauge(UNDER_REPLICATED, underReplicated);
        visitor.gauge(UNDER_MIN_ISR, underMinIsr);
        visitor.gauge(AT_MIN_ISR, atMinIsr);
    }
}
