package io.samsa.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line, checked once: a bad value ends the program with exit code 2 and a message
 * naming the option, before anything is started.
 */
public record BenchOptions(
        Mode mode, long records, long warmup, int recordSize, int partitions, String heap,
        int startTimeoutSeconds, int runTimeoutSeconds, List<String> engines, int latencyRate,
        long latencyRecords, int consumeRuns, int segmentBytes, int bigLogGib, String bigLogHeap,
        int bigLogRecordSize, int swaps, int swapRate, int connections, int longPolls,
        boolean runKafka, boolean runSamsa, boolean kafkaAsSamsa, boolean build, List<String> samsaProps,
        Path samsaLauncher, int kafkaPort, int samsaPort, int samsaZkPort, int samsaHttpPort, boolean keep,
        String commandLine) {

    /** What one run does. */
    public enum Mode { COMPARISON, CONNECTION_SCALE, SWAP, BIG_LOG, HELP }

    /** A bad command line; {@link Bench} prints it and exits 2. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public static BenchOptions parse(String[] args, Path defaultLauncher) throws UsageException {
        Parser p = new Parser(args);
        Mode mode = Mode.COMPARISON;
        long records = 2_000_000;
        Long warmup = null;
        Long latencyRecords = null;
        int recordSize = 100;
        String heap = "1g";
        int startTimeout = 120;
        int runTimeout = 300;
        String engine = "both";
        int latencyRate = 20_000;
        int consumeRuns = 5;
        int segmentBytes = 16 * 1024 * 1024;
        int bigLog = 0;
        String bigHeap = "512m";
        int bigRecordSize = 1024;
        int swaps = 0;
        int swapRate = 20_000;
        int connections = 10_000;
        int longPolls = 500;
        boolean quick = false;
        boolean runKafka = true;
        boolean runSamsa = true;
        boolean kafkaAsSamsa = false;
        boolean build = true;
        boolean keep = false;
        List<String> props = new ArrayList<>();
        Path launcher = defaultLauncher;
        int kafkaPort = 19092;
        int samsaPort = 29092;
        int samsaZkPort = 22181;
        while (p.more()) {
            String option = p.next();
            switch (option) {
                case "--records" -> records = p.number(option, 1);
                case "--quick" -> {
                    quick = true;
                    records = 300_000;
                }
                case "--warmup" -> warmup = p.number(option, 0);
                case "--record-size" -> recordSize = (int) p.number(option, 1);
                case "--heap" -> heap = p.value(option);
                case "--start-timeout" -> startTimeout = (int) p.number(option, 1);
                case "--run-timeout" -> runTimeout = (int) p.number(option, 1);
                case "--engine" -> engine = p.value(option);
                case "--latency-rate" -> latencyRate = (int) p.number(option, 1);
                case "--latency-records" -> latencyRecords = p.number(option, 10);
                case "--consume-runs" -> consumeRuns = (int) p.number(option, 1);
                case "--segment-bytes" -> segmentBytes = (int) p.number(option, 1024 * 1024);
                case "--big-log" -> {
                    mode = Mode.BIG_LOG;
                    bigLog = (int) p.number(option, 1, "a whole number of GiB >= 1");
                }
                case "--big-log-heap" -> bigHeap = p.value(option);
                case "--big-log-record-size" -> bigRecordSize = (int) p.number(option, 1);
                case "--swap" -> {
                    mode = Mode.SWAP;
                    swaps = (int) p.number(option, 1, "a number of swaps >= 1");
                }
                case "--swap-rate" -> swapRate = (int) p.number(option, 1);
                case "--connection-scale" -> mode = Mode.CONNECTION_SCALE;
                case "--connections" -> connections = (int) p.number(option, 0);
                case "--long-polls" -> longPolls = (int) p.number(option, 0);
                case "--kafka-only" -> runSamsa = false;
                case "--samsa-only" -> runKafka = false;
                case "--kafka-as-samsa" -> kafkaAsSamsa = true;
                case "--no-build" -> build = false;
                case "--samsa-prop" -> props.add(p.value(option));
                case "--samsa-launcher" -> launcher = Path.of(p.value(option)).toAbsolutePath().normalize();
                case "--kafka-port" -> kafkaPort = (int) p.number(option, 1);
                case "--samsa-port" -> samsaPort = (int) p.number(option, 1);
                case "--samsa-zk-port" -> samsaZkPort = (int) p.number(option, 1);
                case "--keep" -> keep = true;
                case "-h", "--help" -> mode = Mode.HELP;
                default -> throw new UsageException("unknown option '" + option + "' (see --help)");
            }
        }
        List<String> engines = switch (engine) {
            case "filechannel", "mmap" -> List.of(engine);
            case "both" -> List.of("filechannel", "mmap");
            default -> throw new UsageException("--engine must be filechannel, mmap or both, got '" + engine + "'");
        };
        if (!runKafka && !runSamsa) {
            throw new UsageException("--kafka-only and --samsa-only exclude each other");
        }
        long warm = warmup != null ? warmup : Math.max(20_000, records / 10);
        long latRecords = latencyRecords != null ? latencyRecords : (long) latencyRate * (quick ? 10 : 20);
        if (mode == Mode.SWAP || mode == Mode.BIG_LOG) {
            runKafka = false;
            runSamsa = true;
        }
        return new BenchOptions(mode, records, warm, recordSize, 3, heap, startTimeout, runTimeout, engines,
                latencyRate, latRecords, consumeRuns, segmentBytes, bigLog, bigHeap, bigRecordSize, swaps, swapRate,
                connections, longPolls, runKafka, runSamsa, kafkaAsSamsa, build, List.copyOf(props), launcher,
                kafkaPort, samsaPort, samsaZkPort, 28080, keep,
                "bench/run.sh" + (args.length == 0 ? "" : " " + String.join(" ", args)));
    }

    public String heapOptions() {
        return "-Xms" + heap + " -Xmx" + heap;
    }

    /** Records of the warm-up share of a fixed-rate run, left out of its latencies. */
    public long latencyWarmup() {
        return latencyRecords / 10;
    }

    /** 1 KiB runs move ten times the bytes per record; a quarter of the records keeps them short. */
    public long kibRecords() {
        return Math.max(1, records / 4);
    }

    private static final class Parser {
        private final String[] args;
        private int at;

        Parser(String[] args) {
            this.args = args;
        }

        boolean more() {
            return at < args.length;
        }

        String next() {
            return args[at++];
        }

        String value(String option) throws UsageException {
            if (at >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            return args[at++];
        }

        long number(String option, long min) throws UsageException {
            return number(option, min, "a number >= " + min);
        }

        long number(String option, long min, String what) throws UsageException {
            String v = value(option);
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new UsageException(option.substring(2) + " must be " + what + ", got '" + v + "'");
            }
            if (n < min) {
                throw new UsageException(option.substring(2) + " must be " + what + ", got '" + v + "'");
            }
            return n;
        }
    }
}
