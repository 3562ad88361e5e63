package io.samsa.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The connection-scale run's two ends: {@link #open()} takes the broker's threads and RSS with no
 * client connections, then opens the {@link ConnectionLoad} and takes them again once every
 * connection is answered; the standard workload runs in between; {@link #check()} counts what is
 * still held at the end and releases it. A broker that refuses or drops connections is reported
 * with how many it held; one that dies fails the run like any other.
 */
public final class ConnectionScale {
    static final String IDLE_TOPIC = "bench-idle";
    /** More threads than this with the connections than without is "grows with connections". */
    static final int THREAD_GROWTH_ALLOWED = 32;

    public static final Results.Metric THREADS_0 = new Results.Metric("scale.threads.0",
            "broker threads, no client connections", 0, Results.Better.LOWER);
    private final Results.Metric threadsN;
    private final Results.Metric rssN;
    private final Results.Metric heldOpen;
    private final Results.Metric heldEnd;
    private final Results.Metric pollRate;
    private final int idle;
    private final int longPolls;
    private final int timeoutSeconds;
    private ConnectionLoad load;
    private long workloadStartNanos;
    private long fetchesAtStart;

    public ConnectionScale(int idle, int longPolls, int timeoutSeconds) {
        this.idle = idle;
        this.longPolls = longPolls;
        this.timeoutSeconds = timeoutSeconds;
        String with = idle + " idle connections + " + longPolls + " long polls";
        threadsN = new Results.Metric("scale.threads.n", "broker threads, " + with, 0, Results.Better.LOWER);
        rssN = new Results.Metric("scale.rss.n.mb", "broker RSS, " + with + " (MB)", 0, Results.Better.LOWER);
        heldOpen = new Results.Metric("scale.held.open", "connections held once opened (of " + (idle + longPolls) + ")", 0,
                Results.Better.HIGHER);
        heldEnd = new Results.Metric("scale.held.end", "connections held after the workload (of " + (idle + longPolls)
                + ")", 0, Results.Better.HIGHER);
        pollRate = new Results.Metric("scale.fetch.rps", "long-poll Fetch responses during the workload (/s)", 0,
                Results.Better.NEITHER);
    }

    public Scenario open() {
        return new Scenario() {
            @Override
            public String name() {
                return "open " + idle + " idle connections and " + longPolls + " long polls";
            }

            @Override
            public void run(BrokerUnderTest broker, Results results, Results.BrokerResults out) {
                broker.admin().create(IDLE_TOPIC, 3, Map.of());
                results.put(out, THREADS_0, broker.sample().threads());
                try {
                    load = new ConnectionLoad(broker.port(0), idle, longPolls, IDLE_TOPIC, 3);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot open the client connections: " + e, e);
                }
                long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
                while (!load.allHeld() && System.nanoTime() < deadline) {
                    broker.checkAlive("while " + (load.idleHeld() + load.pollsHeld()) + " of " + load.target()
                            + " client connections were open");
                    BrokerUnderTest.pause(200);
                }
                // two rounds of long polls: every poller's connection is past its first request
                long settled = System.nanoTime() + 10_000_000_000L;
                while (load.fetchResponses() < 2L * load.pollsHeld() && System.nanoTime() < settled) {
                    BrokerUnderTest.pause(100);
                }
                broker.checkAlive("with the client connections open");
                ProcessInfo.Sample s = broker.sample();
                long held = load.idleHeld() + load.pollsHeld();
                results.put(out, threadsN, s.threads());
                results.put(out, rssN, s.rssKb() / 1024.0);
                results.put(out, heldOpen, held);
                out.detail("connections: " + load.idleHeld() + " idle and " + load.pollsHeld() + " long polls held of "
                        + idle + " + " + longPolls + "; " + load.connectFailures() + " failed to connect, "
                        + load.closedByBroker() + " closed by the broker"
                        + (load.lastError().isEmpty() ? "" : "; last error: " + load.lastError()));
                if (held < load.target()) {
                    Log.info(broker.displayName() + ": only " + held + " of " + load.target()
                            + " connections held within " + timeoutSeconds + "s; going on with those");
                }
                workloadStartNanos = System.nanoTime();
                fetchesAtStart = load.fetchResponses();
            }

            @Override
            public void abandon() {
                release();
            }
        };
    }

    public Scenario check() {
        return new Scenario() {
            @Override
            public String name() {
                return "count the connections still held";
            }

            @Override
            public void run(BrokerUnderTest broker, Results results, Results.BrokerResults out) {
                double seconds = (System.nanoTime() - workloadStartNanos) / 1e9;
                results.put(out, heldEnd, load.idleHeld() + load.pollsHeld());
                results.put(out, pollRate, (load.fetchResponses() - fetchesAtStart) / seconds);
                out.detail("after the workload: " + load.idleHeld() + " idle and " + load.pollsHeld()
                        + " long polls held; " + load.closedByBroker() + " closed by the broker in all");
                release();
            }

            @Override
            public List<Verdict> verdicts() {
                return List.of(ConnectionScale.this::threadVerdict, ConnectionScale.this::rssVerdict);
            }
        };
    }

    private void release() {
        if (load != null) {
            load.close();
            load = null;
        }
    }

    Optional<String> threadVerdict(Results.BrokerResults kafka, Results.BrokerResults samsa) {
        OptionalDouble t0 = samsa.get(THREADS_0);
        OptionalDouble tn = samsa.get(threadsN);
        OptionalDouble held = samsa.get(heldOpen);
        if (t0.isEmpty() || tn.isEmpty() || held.isEmpty()) {
            return Optional.empty();
        }
        String numbers = samsa.displayName() + " threads: " + (long) t0.getAsDouble() + " with no client connections, "
                + (long) tn.getAsDouble() + " with " + (long) held.getAsDouble() + " of " + (idle + longPolls) + " held";
        if (held.getAsDouble() < idle + longPolls) {
            return Optional.of(numbers + ": **misses** the target (thread count independent of connections): not all "
                    + "connections were held.");
        }
        boolean meets = tn.getAsDouble() - t0.getAsDouble() <= THREAD_GROWTH_ALLOWED;
        return Optional.of(numbers + ": " + Verdict.word(meets) + " the target (thread count independent of connections, "
                + "at most " + THREAD_GROWTH_ALLOWED + " more).");
    }

    Optional<String> rssVerdict(Results.BrokerResults kafka, Results.BrokerResults samsa) {
        OptionalDouble k = kafka.get(BrokerRun.PEAK_RSS);
        OptionalDouble s = samsa.get(BrokerRun.PEAK_RSS);
        if (k.isEmpty() || s.isEmpty()) {
            return Optional.empty();
        }
        double ratio = s.getAsDouble() / k.getAsDouble();
        return Optional.of(String.format("Peak RSS under the connection load: %s %.0f MB, Kafka %.0f MB (%.2fx): %s the "
                + "target (<= 0.5x Kafka's).", samsa.displayName(), s.getAsDouble(), k.getAsDouble(), ratio,
                Verdict.word(ratio <= 0.5)));
    }
}
