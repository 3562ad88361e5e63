package io.samsa.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The summary lines of Kafka's perf tools, parsed. */
public final class PerfOutput {
    private static final Pattern PRODUCE = Pattern.compile(
            "^(\\d+) (?:steady state )?records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\), ([0-9.]+) ms avg latency, "
                    + "([0-9.]+) ms max latency(?:, ([0-9.]+) ms 50th, ([0-9.]+) ms 95th, ([0-9.]+) ms 99th, ([0-9.]+) ms 99.9th)?\\.?$");

    /**
     * One ProducerPerformance summary ("N records sent, X records/sec (Y MB/sec), A ms avg latency,
     * M ms max latency, a ms 50th, b ms 95th, c ms 99th, d ms 99.9th.").
     */
    public record Produce(long records, double recordsPerSecond, double mbPerSecond, double avgMs, double maxMs,
                          double p50Ms, double p99Ms, double p999Ms, String line) {
    }

    /** One ConsumerPerformance result row, by column name. */
    public record Consume(long records, double recordsPerSecond, double mbPerSecond, double mbPerSecondWithJoin,
                          double joinMs, String line) {
    }

    private PerfOutput() {
    }

    /**
     * The last final summary of a ProducerPerformance run: the "steady state" one when asked for (a
     * run with --warmup-records prints both), else the overall one.
     */
    public static Produce produce(String stdout, boolean steadyState) {
        Produce last = null;
        for (String line : stdout.lines().toList()) {
            if (steadyState != line.contains(" steady state records sent, ")) {
                continue;
            }
            Matcher m = PRODUCE.matcher(line.strip());
            if (m.matches() && m.group(6) != null) {
                last = new Produce(Long.parseLong(m.group(1)), d(m, 2), d(m, 3), d(m, 4), d(m, 5), d(m, 6), d(m, 8),
                        d(m, 9), line.strip());
            }
        }
        if (last == null) {
            throw new IllegalArgumentException("no ProducerPerformance " + (steadyState ? "steady state " : "")
                    + "summary in its output: " + KafkaTool.lastLines(stdout, 3));
        }
        return last;
    }

    /** The per-interval lines ("N records sent, ... max latency.") of a run with --reporting-interval. */
    public static List<String> produceWindows(String stdout) {
        return stdout.lines().filter(l -> PRODUCE.matcher(l.strip()).matches() && !l.contains("th.")).toList();
    }

    public static Consume consume(String stdout) {
        List<String> lines = stdout.lines().map(String::strip).toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("start.time")) {
                String[] header = lines.get(i).split(", *");
                String[] values = lines.get(i + 1).split(", *");
                Map<String, String> row = new HashMap<>();
                for (int c = 0; c < header.length && c < values.length; c++) {
                    row.put(header[c], values[c]);
                }
                try {
                    return new Consume(Long.parseLong(row.get("data.consumed.in.nMsg")),
                            Double.parseDouble(row.get("fetch.nMsg.sec")), Double.parseDouble(row.get("fetch.MB.sec")),
                            Double.parseDouble(row.get("MB.sec")), Double.parseDouble(row.get("rebalance.time.ms")),
                            lines.get(i + 1));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("cannot parse ConsumerPerformance row '" + lines.get(i + 1) + "'");
                }
            }
        }
        throw new IllegalArgumentException("no ConsumerPerformance result in its output: " + KafkaTool.lastLines(stdout, 3));
    }

    private static double d(Matcher m, int group) {
        return Double.parseDouble(m.group(group));
    }
}
