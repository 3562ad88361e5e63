package io.samsa.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * JMH results as markdown: one table per benchmark in records/s and MB/s (from the
 * {@link Throughput} counters; MB = 2^20 bytes, as Kafka's perf tools count), and one table of
 * mmap against filechannel for every shape both engines ran.
 */
final class ResultsTable {

    private static final double MB = 1 << 20;

    private ResultsTable() {
    }

    static String markdown(Collection<RunResult> results, String command) {
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing((RunResult r) -> r.getParams().getBenchmark())
                .thenComparing(r -> shape(r.getParams()))
                .thenComparing(r -> r.getParams().getParam("engine")));
        StringBuilder md = new StringBuilder();
        md.append("# Samsa storage engines: JMH micro-benchmarks\n\n");
        header(md, sorted.get(0).getParams(), command);

        Map<String, List<RunResult>> byBenchmark = new LinkedHashMap<>();
        for (RunResult r : sorted) {
            byBenchmark.computeIfAbsent(r.getParams().getBenchmark(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<RunResult>> e : byBenchmark.entrySet()) {
            boolean append = e.getKey().endsWith(".append");
            md.append(append
                    ? "## Append: `PartitionLog.append`, one batch per call\n\n"
                    : "## Fetch: `PartitionLog.read` + `LogSlice.transferTo`, one fetch per call\n\n");
            String calls = append ? "appends/s" : "fetches/s";
            md.append("| engine | record value (B) | records/batch |").append(append ? "" : " sink | fetch (B) |")
                    .append(' ').append(calls).append(" | records/s | MB/s | MB/s ± (99.9%) |\n");
            md.append("|---|---:|---:|").append(append ? "" : "---|---:|").append("---:|---:|---:|---:|\n");
            for (RunResult r : e.getValue()) {
                BenchmarkParams p = r.getParams();
                Result<?> bytes = r.getSecondaryResults().get("bytes");
                Result<?> records = r.getSecondaryResults().get("records");
                md.append("| ").append(p.getParam("engine")).append(" | ").append(p.getParam("recordSize"))
                        .append(" | ").append(p.getParam("batchRecords")).append(" | ");
                if (!append) {
                    md.append(p.getParam("sink")).append(" | ").append(p.getParam("fetchBytes")).append(" | ");
                }
                md.append(count(r.getPrimaryResult().getScore())).append(" | ")
                        .append(records == null ? "n/a" : count(records.getScore())).append(" | ")
                        .append(bytes == null ? "n/a" : decimal(bytes.getScore() / MB)).append(" | ")
                        .append(bytes == null ? "n/a" : error(bytes.getScoreError() / MB)).append(" |\n");
            }
            md.append('\n');
        }
        engineRatios(md, sorted);
        md.append("Scores are means over the measurement iterations; ± is JMH's 99.9% confidence half-width "
                + "(NaN with fewer than two iterations). The machine is shared with other work: "
                + "compare engines within one run, not across runs.\n");
        return md.toString();
    }

    private static void header(StringBuilder md, BenchmarkParams p, String command) {
        md.append("- date: ").append(ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'"))).append('\n');
        md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
                .append(cpu()).append("), ").append(memory()).append(", ").append(System.getProperty("os.name"))
                .append(' ').append(System.getProperty("os.version")).append('\n');
        md.append("- JVM: ").append(p.getVmName()).append(' ').append(p.getJdkVersion()).append(", JMH ")
                .append(p.getJmhVersion()).append(", fork args `").append(String.join(" ", p.getJvmArgs())).append("`\n");
        md.append("- run: ").append(p.getForks()).append(" fork(s), ").append(p.getWarmup().getCount()).append(" x ")
                .append(p.getWarmup().getTime()).append(" warm-up, ").append(p.getMeasurement().getCount())
                .append(" x ").append(p.getMeasurement().getTime()).append(" measurement per benchmark\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- engines: ").append(engineJars()).append('\n');
        md.append("- logs in: ").append(System.getProperty("samsa.bench.dir", System.getProperty("java.io.tmpdir")))
                .append(" (page cache; appends are not fsynced, as with Kafka's defaults)\n\n");
    }

    /** mmap MB/s over filechannel MB/s for every benchmark shape both engines ran. */
    private static void engineRatios(StringBuilder md, List<RunResult> sorted) {
        Map<String, double[]> pairs = new LinkedHashMap<>();
        for (RunResult r : sorted) {
            Result<?> bytes = r.getSecondaryResults().get("bytes");
            if (bytes == null) {
                continue;
            }
            BenchmarkParams p = r.getParams();
            String op = p.getBenchmark().endsWith(".append") ? "append" : "fetch (" + p.getParam("sink") + ")";
            String key = "| " + op + " | " + p.getParam("recordSize") + " | " + p.getParam("batchRecords") + " | ";
            double[] pair = pairs.computeIfAbsent(key, k -> new double[] {Double.NaN, Double.NaN});
            pair[Engines.MMAP.equals(p.getParam("engine")) ? 1 : 0] = bytes.getScore() / MB;
        }
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<String, double[]> e : pairs.entrySet()) {
            double fc = e.getValue()[0];
            double mm = e.getValue()[1];
            if (!Double.isNaN(fc) && !Double.isNaN(mm)) {
                rows.append(e.getKey()).append(decimal(fc)).append(" | ").append(decimal(mm)).append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f", mm / fc)).append(" |\n");
            }
        }
        if (rows.length() > 0) {
            md.append("## mmap against filechannel\n\n");
            md.append("| operation | record value (B) | records/batch | filechannel MB/s | mmap MB/s | mmap/filechannel |\n");
            md.append("|---|---:|---:|---:|---:|---:|\n");
            md.append(rows).append('\n');
            md.append("Above 1: the mmap engine moved more bytes per second.\n\n");
        }
    }

    /** The engine jars measured, with their build times, so a result can be tied to a build. */
    private static String engineJars() {
        List<String> jars = new ArrayList<>();
        for (String engine : List.of(Engines.FILECHANNEL, Engines.MMAP)) {
            try {
                Path jar = Engines.jar(engine);
                jars.add(jar.getFileName() + " (" + Files.getLastModifiedTime(jar).toInstant()
                        .atZone(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")) + ")");
            } catch (IOException e) {
                jars.add(engine + " (" + e.getMessage() + ")");
            }
        }
        return String.join(", ", jars);
    }

    private static String shape(BenchmarkParams p) {
        return String.format(Locale.ROOT, "%08d/%08d/%s", Integer.parseInt(p.getParam("recordSize")),
                Integer.parseInt(p.getParam("batchRecords")), String.valueOf(sinkOf(p)));
    }

    private static String sinkOf(BenchmarkParams p) {
        return p.getParamsKeys().contains("sink") ? p.getParam("sink") : "";
    }

    private static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String decimal(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.1f", v);
    }

    private static String error(double v) {
        return Double.isNaN(v) ? "NaN" : decimal(v);
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: leave it out
        }
        return System.getProperty("os.arch");
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GiB memory", kb / 1048576.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: leave it out
        }
        return "memory unknown";
    }
}
