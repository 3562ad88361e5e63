package io.samsa.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The tables: one per Samsa broker against Kafka's numbers from the same run, the last column
 * Samsa/Kafka, the verdicts under each; the same numbers one per line in a TSV file for scripts.
 */
public final class Report {
    private final Results results;
    private final List<Verdict> verdicts;

    public Report(Results results, List<Verdict> verdicts) {
        this.results = results;
        this.verdicts = verdicts;
    }

    /** The tables and verdicts (what is printed), one section per Samsa broker. */
    public String tables(String kafkaLabel) {
        Results.BrokerResults kafka = results.broker(kafkaLabel);
        List<Results.BrokerResults> others = results.brokers().stream().filter(b -> !b.label().equals(kafkaLabel)).toList();
        StringBuilder out = new StringBuilder();
        if (others.isEmpty() && kafka != null) {
            out.append(table(kafka, null)).append('\n');
        }
        for (Results.BrokerResults samsa : others) {
            out.append("### ").append(samsa.displayName()).append("\n\n").append(table(kafka, samsa)).append('\n');
            if (kafka != null && kafka.failure() == null && samsa.failure() == null) {
                for (Verdict v : verdicts) {
                    v.judge(kafka, samsa).ifPresent(line -> out.append(line).append("\n\n"));
                }
            }
        }
        for (Results.BrokerResults b : results.brokers()) {
            if (b.failure() != null) {
                out.append("**").append(b.displayName()).append(" FAILED**: ").append(b.failure()).append("\n\n");
            }
        }
        return out.toString();
    }

    String table(Results.BrokerResults kafka, Results.BrokerResults samsa) {
        StringBuilder t = new StringBuilder();
        t.append("| metric | ").append(kafka != null ? kafka.displayName() : "Apache Kafka 4.4.0");
        if (samsa != null) {
            t.append(" | ").append(samsa.displayName()).append(" | Samsa/Kafka");
        }
        t.append(" |\n|---|---:|").append(samsa != null ? "---:|---:|" : "").append('\n');
        for (Results.Metric m : results.metrics()) {
            OptionalDouble k = kafka != null ? kafka.get(m) : OptionalDouble.empty();
            OptionalDouble s = samsa != null ? samsa.get(m) : OptionalDouble.empty();
            t.append("| ").append(m.label()).append(" | ").append(cell(kafka, k, m.decimals()));
            if (samsa != null) {
                t.append(" | ").append(cell(samsa, s, m.decimals())).append(" | ").append(ratio(k, s));
            }
            t.append(" |\n");
        }
        return t.toString();
    }

    /** One column per broker (or run), no ratios: for the Samsa-only checks. */
    public String columns() {
        StringBuilder t = new StringBuilder("| metric |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Results.BrokerResults b : results.brokers()) {
            t.append(' ').append(b.displayName()).append(" |");
            rule.append("---:|");
        }
        t.append('\n').append(rule).append('\n');
        for (Results.Metric m : results.metrics()) {
            t.append("| ").append(m.label()).append(" |");
            for (Results.BrokerResults b : results.brokers()) {
                t.append(' ').append(cell(b, b.get(m), m.decimals())).append(" |");
            }
            t.append('\n');
        }
        return t.toString();
    }

    private static String cell(Results.BrokerResults b, OptionalDouble v, int decimals) {
        if (v.isPresent()) {
            return format(v.getAsDouble(), decimals);
        }
        return b != null && b.failure() != null ? "failed" : "n/a";
    }

    static String format(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String ratio(OptionalDouble kafka, OptionalDouble samsa) {
        if (kafka.isEmpty() || samsa.isEmpty() || kafka.getAsDouble() == 0) {
            return "n/a";
        }
        return format(samsa.getAsDouble() / kafka.getAsDouble(), 2);
    }

    /** Date, machine, JVM and the exact command: numbers from different machines or loads do not compare. */
    public static List<String> machineLines(String commandLine) {
        List<String> l = new ArrayList<>();
        l.add("- date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")));
        l.add("- machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
                + memory() + " memory, " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + "; shared with other work, load average at the end: " + loadAverage());
        l.add("- java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        l.add("- command: `" + commandLine + "`");
        return l;
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(x -> x.startsWith("model name")).findFirst()
                .map(x -> x.substring(x.indexOf(':') + 1).strip()).orElse("unknown CPU");
    }

    private static String memory() {
        long kb = ProcessInfo.statusField(read("/proc/meminfo"), "MemTotal:");
        return String.format(Locale.ROOT, "%.1f GiB", kb / 1048576.0);
    }

    private static String loadAverage() {
        String[] f = read("/proc/loadavg").split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "?";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }

    /** Every broker's details (tool summary lines, JVM command line, RSS samples). */
    public String details() {
        StringBuilder d = new StringBuilder("## Details\n");
        for (Results.BrokerResults b : results.brokers()) {
            d.append("\n### ").append(b.displayName()).append('\n');
            for (String line : b.details()) {
                d.append("- ").append(line).append('\n');
            }
            if (b.failure() != null) {
                d.append("- FAILED: ").append(b.failure()).append('\n');
            }
        }
        return d.toString();
    }

    /** {@code broker, metric key, value, label} per line; a failed broker gets a {@code failed} line. */
    public String tsv() {
        StringBuilder t = new StringBuilder("broker\tmetric\tvalue\tlabel\n");
        for (Results.BrokerResults b : results.brokers()) {
            for (Results.Metric m : results.metrics()) {
                b.get(m).ifPresent(v -> t.append(b.label()).append('\t').append(m.key()).append('\t')
                        .append(format(v, Math.max(2, m.decimals()))).append('\t').append(m.label()).append('\n'));
            }
            if (b.failure() != null) {
                t.append(b.label()).append("\tfailed\t\t").append(b.failure().replace('\t', ' ').replace('\n', ' ')).append('\n');
            }
        }
        return t.toString();
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
