package io.samsa.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Every number a run measured, per broker, in the order scenarios first reported them; the table,
 * the verdicts and the machine-readable file are all made from this.
 */
public final class Results {

    /** Which way a ratio Samsa/Kafka is good. */
    public enum Better { HIGHER, LOWER, NEITHER }

    /**
     * One row of the table.
     *
     * @param key      stable name for the results file, e.g. {@code produce.acks1.100b.rps}
     * @param label    what the table says
     * @param decimals digits shown after the point
     */
    public record Metric(String key, String label, int decimals, Better better) {
    }

    /** What one broker measured. */
    public static final class BrokerResults {
        private final String label;
        private final String displayName;
        private final Map<String, Double> values = new LinkedHashMap<>();
        private final List<String> details = new ArrayList<>();
        private String failure;

        BrokerResults(String label, String displayName) {
            this.label = label;
            this.displayName = displayName;
        }

        public String label() {
            return label;
        }

        public String displayName() {
            return displayName;
        }

        public OptionalDouble get(Metric m) {
            Double v = values.get(m.key());
            return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
        }

        public Map<String, Double> values() {
            return values;
        }

        public List<String> details() {
            return details;
        }

        public void detail(String line) {
            details.add(line);
        }

        public String failure() {
            return failure;
        }

        public void fail(String message) {
            failure = message;
        }
    }

    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final Map<String, BrokerResults> brokers = new LinkedHashMap<>();

    public BrokerResults broker(String label, String displayName) {
        return brokers.computeIfAbsent(label, l -> new BrokerResults(l, displayName));
    }

    public BrokerResults broker(String label) {
        return brokers.get(label);
    }

    public List<BrokerResults> brokers() {
        return List.copyOf(brokers.values());
    }

    public void put(BrokerResults broker, Metric metric, double value) {
        metrics.putIfAbsent(metric.key(), metric);
        broker.values.put(metric.key(), value);
    }

    public List<Metric> metrics() {
        return List.copyOf(metrics.values());
    }

    public boolean anyFailed() {
        return brokers.values().stream().anyMatch(b -> b.failure != null);
    }
}
