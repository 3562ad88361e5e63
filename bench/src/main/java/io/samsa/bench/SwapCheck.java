package io.samsa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --swap N}: checks "the swap stalls produce for under a second" as a producer sees it.
 * Samsa alone with both engines installed (mmap, ranked higher, first); an idempotent acks=all
 * producer at a fixed rate runs once undisturbed and once while the engine is swapped N times by
 * writing {@code load/io.samsa.broker.storage.cfg} as an operator would; the worst send-to-ack
 * latency of each run is compared, then every record of both runs is consumed back.
 */
final class SwapCheck {
    private static final int LEAD_SECONDS = 5;
    private static final int SETTLE_SECONDS = 3;
    private static final int WARMUP_SECONDS = 2;
    private static final Pattern SWAPPED = Pattern.compile(
            "Storage engine now ([a-z]+) \\(was ([a-z]+)\\); (\\d+) partitions reopened in (\\d+) ms");

    private static final Results.Metric SENT = new Results.Metric("swap.sent", "records acknowledged (after the warm-up)", 0,
            Results.Better.HIGHER);
    private static final Results.Metric ACHIEVED = new Results.Metric("swap.rps", "achieved (records/s)", 0, Results.Better.HIGHER);
    private static final Results.Metric P50 = new Results.Metric("swap.p50", "p50 latency (ms)", 1, Results.Better.LOWER);
    private static final Results.Metric P99 = new Results.Metric("swap.p99", "p99 latency (ms)", 1, Results.Better.LOWER);
    private static final Results.Metric P999 = new Results.Metric("swap.p999", "p99.9 latency (ms)", 1, Results.Better.LOWER);
    private static final Results.Metric WORST = new Results.Metric("swap.max", "worst send-to-ack latency (ms)", 0,
            Results.Better.LOWER);

    private final Workspace ws;
    private final BenchOptions o;
    private final PerfRuns perf;

    SwapCheck(Workspace ws) {
        this.ws = ws;
        this.o = ws.options();
        this.perf = new PerfRuns(new KafkaTool(ws), o.runTimeoutSeconds());
    }

    int run() {
        Bench.checkPrerequisites(ws);
        Results results = new Results();
        Results.BrokerResults baseline = results.broker("baseline", "without swaps");
        Results.BrokerResults swapped = results.broker("swaps", "with " + o.swaps() + " swaps");
        List<String> details = new ArrayList<>();
        long records = (long) o.swapRate() * (LEAD_SECONDS + o.swaps() * (SETTLE_SECONDS + 1) + SETTLE_SECONDS);
        try (SamsaBroker broker = new SamsaBroker(ws, "both", o.heapOptions(), 0)) {
            try {
                broker.start();
                details.addAll(broker.details());
                broker.admin().create("bench-swap", 6, Map.of());
                PerfOutput.Produce quiet = produce(broker, "baseline", records);
                put(results, baseline, quiet);
                CompletableFuture<PerfOutput.Produce> during = CompletableFuture.supplyAsync(
                        () -> produce(broker, "swaps", records));
                details.add("the broker's own account of each swap (samsa.log): " + String.join("; ", swap(broker, during)));
                PerfOutput.Produce disturbed = join(during);
                put(results, swapped, disturbed);
                details.add("without swaps: `" + quiet.line() + "`");
                details.add("with swaps: `" + disturbed.line() + "`");
                long expected = 2 * records;
                perf.consume(broker, "swap-consume", "--topic", "bench-swap", expected, "bench-swap-" + ProcessHandle.current().pid());
                details.add("records consumed back: all " + expected + " that both runs sent");
                details.add("per-second windows of the run with swaps:\n\n```\n"
                        + String.join("\n", PerfOutput.produceWindows(read(ws.dir("tools").resolve("samsa-both-swaps.out"))))
                        + "\n```");
            } catch (BrokerFailure e) {
                System.err.println("BENCH FAILED (" + broker.displayName() + "): " + e.getMessage());
                System.err.print(broker.logTails(40));
                swapped.fail(e.getMessage());
            }
        }
        String verdict = swapped.get(WORST).isPresent()
                ? "Worst send-to-ack latency with " + o.swaps() + " swaps: " + (long) swapped.get(WORST).getAsDouble()
                + " ms (without: " + (long) baseline.get(WORST).orElse(-1) + " ms): "
                + Verdict.word(swapped.get(WORST).getAsDouble() < 1000)
                + " the claim (a swap stalls produce for under a second)."
                : "**FAILED**: " + swapped.failure();
        Report report = new Report(results, List.of());
        StringBuilder md = new StringBuilder("# Samsa storage hot-swap stall\n\n");
        Report.machineLines(o.commandLine()).forEach(l -> md.append(l).append('\n'));
        md.append("- workload: ProducerPerformance, ").append(o.recordSize()).append(" B records at a fixed ")
                .append(o.swapRate()).append(" records/s, acks=all, enable.idempotence=true, to bench-swap (6 partitions), the first ")
                .append(WARMUP_SECONDS).append(" s being warm-up; the same run twice: without swaps, then with ").append(o.swaps())
                .append(" swaps (filechannel and mmap in turn, ").append(LEAD_SECONDS).append(" s after the start and ")
                .append(SETTLE_SECONDS).append(" s apart); then every record of both runs consumed back\n")
                .append("- broker: Samsa with both storage engines installed, ").append(o.heapOptions()).append("\n\n")
                .append(report.columns()).append('\n').append(verdict).append("\n\n## Details\n");
        details.forEach(d -> md.append("- ").append(d).append('\n'));
        Report.write(ws.target().resolve("swap-results.md"), md.toString());
        Report.write(ws.target().resolve("swap-results.tsv"), report.tsv());
        System.out.println();
        System.out.print(report.columns());
        System.out.println(verdict);
        System.out.println("written to " + ws.target().resolve("swap-results.md"));
        return results.anyFailed() ? 1 : 0;
    }

    private PerfOutput.Produce produce(SamsaBroker broker, String kind, long records) {
        return perf.produce(broker, kind, "bench-swap", records, o.recordSize(), o.swapRate(),
                (long) o.swapRate() * WARMUP_SECONDS,
                List.of("acks=all", "enable.idempotence=true", "client.id=bench-swap-" + kind), "--reporting-interval", "1000");
    }

    /** The swaps, while {@code producing} runs; returns the broker's log line for each. */
    private List<String> swap(SamsaBroker broker, CompletableFuture<?> producing) {
        Path log = broker.dataDir().resolve("logs/samsa.log");
        Path cfg = broker.dataDir().resolve("load/io.samsa.broker.storage.cfg");
        int before = swapLines(log).size();
        waitOrFail(producing, LEAD_SECONDS);
        for (int i = 1; i <= o.swaps(); i++) {
            String target = i % 2 == 1 ? "filechannel" : "mmap";
            Log.info("swap " + i + " of " + o.swaps() + ": storage.target=(storage.engine=" + target + ") through " + cfg);
            try {
                Files.createDirectories(cfg.getParent());
                Path tmp = cfg.resolveSibling(cfg.getFileName() + ".tmp");
                Files.writeString(tmp, "storage.target=(storage.engine=" + target + ")\n");
                Files.move(tmp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new BrokerFailure("cannot write " + cfg + ": " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (swapLines(log).size() < before + i) {
                broker.checkAlive("during swap " + i);
                if (System.nanoTime() > deadline) {
                    throw new BrokerFailure("swap " + i + " to " + target + ": no 'Storage engine now' line in " + log + " within 30 s");
                }
                BrokerUnderTest.pause(200);
            }
            List<String> lines = swapLines(log);
            if (!lines.get(lines.size() - 1).contains("now " + target + " ")) {
                throw new BrokerFailure("swap " + i + ": expected the broker on " + target + ", " + log + " says: "
                        + lines.get(lines.size() - 1));
            }
            waitOrFail(producing, SETTLE_SECONDS);
        }
        List<String> lines = swapLines(log);
        List<String> account = new ArrayList<>();
        for (String line : lines.subList(lines.size() - o.swaps(), lines.size())) {
            Matcher m = SWAPPED.matcher(line);
            account.add(m.find() ? m.group(2) + " -> " + m.group(1) + ": " + m.group(3) + " partitions in " + m.group(4) + " ms" : line);
        }
        return account;
    }

    /** Waits the given seconds unless the background producer ends first (which is then a failure). */
    private static void waitOrFail(CompletableFuture<?> producing, int seconds) {
        try {
            producing.get(seconds, java.util.concurrent.TimeUnit.SECONDS);
            throw new BrokerFailure("the producer of the run with swaps ended before the swaps did");
        } catch (java.util.concurrent.TimeoutException stillRunning) {
            // the expected case: the producer keeps going while the swaps happen
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BrokerFailure f ? f : new BrokerFailure(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerFailure("interrupted");
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BrokerFailure b ? b : new BrokerFailure(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerFailure("interrupted");
        }
    }

    private static List<String> swapLines(Path log) {
        return read(log).lines().filter(l -> l.contains("Storage engine now")).toList();
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void put(Results results, Results.BrokerResults run, PerfOutput.Produce p) {
        results.put(run, SENT, p.records());
        results.put(run, ACHIEVED, p.recordsPerSecond());
        results.put(run, P50, p.p50Ms());
        results.put(run, P99, p.p99Ms());
        results.put(run, P999, p.p999Ms());
        results.put(run, WORST, p.maxMs());
    }
}
