package io.samsa.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --big-log GB}: checks "the broker's heap does not grow with the data: a 5 GB log is
 * served with -Xmx512m". Per engine, Samsa alone with the small heap gets GB GiB produced into a
 * one-partition topic, then every record consumed back; memory is sampled every second (VmRSS split
 * into anonymous and file pages, the heap through jstat) and the live heap is taken after a full GC
 * before the produce and after the consume.
 */
final class BigLogCheck {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private static final Results.Metric LOG_GIB = new Results.Metric("big.log.gib", "log size on disk (GiB)", 2, Results.Better.NEITHER);
    private static final Results.Metric SEGMENTS = new Results.Metric("big.segments", "segments", 0, Results.Better.NEITHER);
    private static final Results.Metric CONSUMED = new Results.Metric("big.consumed", "records consumed", 0, Results.Better.HIGHER);
    private static final Results.Metric PRODUCE_MBS = new Results.Metric("big.produce.mbs", "produce (MB/s)", 1, Results.Better.HIGHER);
    private static final Results.Metric CONSUME_MBS = new Results.Metric("big.consume.mbs", "consume (MB/s)", 1, Results.Better.HIGHER);
    private static final Results.Metric RSS = new Results.Metric("big.rss.mb", "peak RSS (MB)", 0, Results.Better.LOWER);
    private static final Results.Metric ANON = new Results.Metric("big.rss.anon.mb", "peak RssAnon (MB)", 0, Results.Better.LOWER);
    private static final Results.Metric FILE = new Results.Metric("big.rss.file.mb", "peak RssFile (MB)", 0, Results.Better.LOWER);
    private static final Results.Metric HEAP_PEAK = new Results.Metric("big.heap.peak.mb", "peak heap used, jstat (MB)", 0,
            Results.Better.LOWER);
    private static final Results.Metric LIVE_START = new Results.Metric("big.live.start.mb",
            "live heap after full GC, before produce (MB)", 0, Results.Better.LOWER);
    private static final Results.Metric LIVE_END = new Results.Metric("big.live.end.mb",
            "live heap after full GC, after consume (MB)", 0, Results.Better.LOWER);

    private final Workspace ws;
    private final BenchOptions o;
    private final PerfRuns perf;

    BigLogCheck(Workspace ws) {
        this.ws = ws;
        this.o = ws.options();
        this.perf = new PerfRuns(new KafkaTool(ws), Math.max(o.runTimeoutSeconds(), o.bigLogGib() * 300));
    }

    int run() {
        Bench.checkPrerequisites(ws);
        long records = o.bigLogGib() * 1073741824L / o.bigLogRecordSize();
        Results results = new Results();
        StringBuilder details = new StringBuilder();
        for (int i = 0; i < o.engines().size(); i++) {
            String engine = o.engines().get(i);
            Results.BrokerResults out = results.broker("big-" + engine, "Samsa (" + engine + ")");
            try (SamsaBroker broker = new SamsaBroker(ws, engine, "-Xmx" + o.bigLogHeap(), 10 * i)) {
                try {
                    checkDisk();
                    broker.start();
                    measure(broker, records, results, out);
                } catch (BrokerFailure e) {
                    String oom = broker.logTails(400).contains("OutOfMemoryError") ? " (OutOfMemoryError in its log)" : "";
                    out.fail(e.getMessage() + oom);
                    System.err.println("BENCH FAILED (" + broker.displayName() + "): " + e.getMessage() + oom);
                    System.err.print(broker.logTails(40));
                }
                details.append("\n### ").append(engine).append('\n');
                broker.details().forEach(d -> details.append("- ").append(d).append('\n'));
                out.details().forEach(d -> details.append("- ").append(d).append('\n'));
            }
        }
        Report report = new Report(results, List.of());
        StringBuilder md = new StringBuilder("# Samsa heap check: a big log served with -Xmx" + o.bigLogHeap() + "\n\n");
        Report.machineLines(o.commandLine()).forEach(l -> md.append(l).append('\n'));
        md.append("- workload: ").append(o.bigLogGib()).append(" GiB = ").append(records).append(" records of ")
                .append(o.bigLogRecordSize()).append(" B (ProducerPerformance, acks=all, batch.size=262144, linger.ms=5) into "
                        + "bench-big with 1 partition, then all consumed (ConsumerPerformance)\n")
                .append("- RssAnon: heap, metaspace, direct buffers, stacks; RssFile: mapped files (with mmap, the segments' "
                        + "page-cache pages the broker touched, which the kernel reclaims under pressure)\n\n")
                .append(report.columns()).append('\n');
        for (Results.BrokerResults b : results.brokers()) {
            md.append(b.displayName()).append(": ").append(b.failure() == null
                    ? "OK: all " + records + " records produced and consumed with -Xmx" + o.bigLogHeap()
                    : "**FAILED**: " + b.failure()).append("\n\n");
        }
        md.append("The claim holds when every run is OK and the live heap after the consume is about what it was before "
                + "the produce.\n\n## Details\n").append(details);
        Report.write(ws.target().resolve("big-log-results.md"), md.toString());
        Report.write(ws.target().resolve("big-log-results.tsv"), report.tsv());
        System.out.println();
        System.out.print(report.columns());
        System.out.println("written to " + ws.target().resolve("big-log-results.md"));
        return results.anyFailed() ? 1 : 0;
    }

    private void checkDisk() {
        long need = (o.bigLogGib() + 5L) << 30;
        long free = ws.work().toFile().getUsableSpace();
        if (free < need) {
            throw new BrokerFailure("the heap check needs " + (o.bigLogGib() + 5) + " GiB free under " + ws.work() + ", only "
                    + (free >> 30) + " GiB are");
        }
    }

    private void measure(SamsaBroker broker, long records, Results results, Results.BrokerResults out) {
        long jvm = broker.jvmPid();
        String cmdline = ProcessInfo.commandLine(jvm);
        if (!(" " + cmdline + " ").contains(" -Xmx" + o.bigLogHeap() + " ")) {
            throw new BrokerFailure("the broker JVM does not run with -Xmx" + o.bigLogHeap() + ": " + cmdline);
        }
        broker.admin().create("bench-big", 1, Map.of());
        Path gcFile = ws.dir("tools").resolve(broker.label() + "-jstat.txt");
        Process jstat = startJstat(jvm, gcFile);
        try (ResourceSampler sampler = new ResourceSampler(broker.label(), broker::sample, 1000)) {
            liveHeapMb(jvm).ifPresent(v -> results.put(out, LIVE_START, v));
            PerfOutput.Produce p = perf.produce(broker, "big-produce", "bench-big", records, o.bigLogRecordSize(), -1, 0,
                    List.of("acks=all", "batch.size=262144", "linger.ms=5", "client.id=bench-big"),
                    "--reporting-interval", "30000");
            results.put(out, PRODUCE_MBS, p.mbPerSecond());
            out.detail("produce: `" + p.line() + "`");
            Path partition = broker.logDir(0).resolve("bench-big-0");
            results.put(out, LOG_GIB, directoryBytes(partition) / 1073741824.0);
            results.put(out, SEGMENTS, FixedRateScenario.segmentFiles(broker.logDir(0), "bench-big"));
            PerfOutput.Consume c = perf.consume(broker, "big-consume", "--topic", "bench-big", records,
                    "bench-big-" + ProcessHandle.current().pid());
            results.put(out, CONSUMED, c.records());
            results.put(out, CONSUME_MBS, c.mbPerSecond());
            out.detail("consume: `" + c.line() + "`");
            broker.checkAlive("after the consume");
            liveHeapMb(jvm).ifPresent(v -> results.put(out, LIVE_END, v));
            sampler.sample();
            results.put(out, RSS, sampler.peakRssKb() / 1024.0);
            results.put(out, ANON, sampler.peakRssAnonKb() / 1024.0);
            results.put(out, FILE, sampler.peakRssFileKb() / 1024.0);
            out.detail("memory samples: " + sampler.samples());
        } finally {
            if (jstat != null) {
                jstat.destroy();
            }
        }
        peakHeapUsedKb(gcFile).ifPresent(kb -> results.put(out, HEAP_PEAK, kb / 1024.0));
    }

    private static Process startJstat(long pid, Path file) {
        try {
            return new ProcessBuilder("jstat", "-gc", Long.toString(pid), "1000").redirectOutput(file.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(new File("/dev/null")).start();
        } catch (IOException noJstat) {
            return null;
        }
    }

    /** Live heap after a full GC: {@code jcmd GC.run}, then the "used" of {@code GC.heap_info}'s first line. */
    private static java.util.OptionalDouble liveHeapMb(long pid) {
        try {
            command("jcmd", Long.toString(pid), "GC.run");
            Matcher m = HEAP_USED.matcher(command("jcmd", Long.toString(pid), "GC.heap_info"));
            return m.find() ? java.util.OptionalDouble.of(Long.parseLong(m.group(1)) / 1024.0) : java.util.OptionalDouble.empty();
        } catch (IOException e) {
            return java.util.OptionalDouble.empty();
        }
    }

    private static String command(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** Peak of S0U+S1U+EU+OU over jstat's lines, columns found by name. */
    static java.util.OptionalDouble peakHeapUsedKb(Path gcFile) {
        try {
            List<String> lines = Files.readAllLines(gcFile);
            if (lines.isEmpty()) {
                return java.util.OptionalDouble.empty();
            }
            List<String> header = List.of(lines.get(0).trim().split("\\s+"));
            int[] cols = {header.indexOf("S0U"), header.indexOf("S1U"), header.indexOf("EU"), header.indexOf("OU")};
            double peak = -1;
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length != header.size() || !f[0].matches("[0-9.]+")) {
                    continue;
                }
                double used = 0;
                for (int c : cols) {
                    used += c >= 0 ? Double.parseDouble(f[c]) : 0;
                }
                peak = Math.max(peak, used);
            }
            return peak < 0 ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(peak);
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalDouble.empty();
        }
    }

    private static long directoryBytes(Path dir) {
        try (var files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }
}
