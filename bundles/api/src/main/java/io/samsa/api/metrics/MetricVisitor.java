package io.samsa.api.metrics;

import java.util.Map;
import java.util.function.LongSupplier;

/** Receives a {@link MetricSource}'s metrics. Called by the reader's thread, never on a hot path. */
public interface MetricVisitor {

    /** A Kafka meter ({@code ...PerSec}): Count, the rates, RateUnit, EventType. */
    void meter(MetricName name, Meter meter);

    /**
     * A Kafka gauge: its Value, read when asked. The supplier must be cheap and must not block,
     * and be the same object on every visit (a new one replaces the MBean).
     */
    void gauge(MetricName name, LongSupplier value);

    /** A Kafka histogram ({@code ...TimeMs}): Count, Min, Max, Mean, StdDev and the percentiles. */
    void histogram(MetricName name, Histogram histogram);

    /** Constant attributes under their own names, as Kafka's {@code type=app-info} shows them. */
    void info(MetricName name, Map<String, Object> attributes);
}
