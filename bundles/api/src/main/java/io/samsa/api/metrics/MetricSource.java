package io.samsa.api.metrics;

/**
 * A bundle's metrics, registered as an OSGi service. Readers call {@link #visit} every few
 * seconds; a metric listed then and not on a later visit is gone (its topic was deleted, its
 * partition moved away). The same name must stand for the same {@link Meter} or
 * {@link Histogram} object for as long as it is listed, or its rates start over.
 */
public interface MetricSource {

    /** Hands every current metric to {@code visitor}. Must not block and must tolerate concurrent changes. */
    void visit(MetricVisitor visitor);
}
