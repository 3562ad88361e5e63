package io.samsa.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samsa started as {@code bin/broker server.properties} (or a stand-in launcher taking the same
 * argument), with one storage engine installed and targeted, or both for the hot-swap check.
 */
public final class SamsaBroker extends BrokerUnderTest {
    private static final Pattern ENGINE_LINE = Pattern.compile("storage engine ([A-Za-z0-9_.-]+)");

    private final String engine;
    private final String jvmOptions;
    private final int portOffset;
    private Path dir;
    private String engineVerified = "not checked";

    /**
     * @param engine     filechannel, mmap, or both (both installed, no target: mmap ranks higher)
     * @param jvmOptions SAMSA_OPTS, e.g. {@code -Xms1g -Xmx1g}
     * @param portOffset added to the configured first ports, so two Samsa runs never share one
     */
    public SamsaBroker(Workspace workspace, String engine, String jvmOptions, int portOffset) {
        super(workspace, "samsa-" + engine, "Samsa (" + engine + ")", 1);
        this.engine = engine;
        this.jvmOptions = jvmOptions;
        this.portOffset = portOffset;
    }

    public String engine() {
        return engine;
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    @Override
    protected int configure(int node, Path dir) {
        this.dir = dir;
        BenchOptions o = workspace.options();
        int port = workspace.freePort(o.samsaPort() + portOffset);
        int zk = workspace.freePort(o.samsaZkPort() + portOffset);
        int http = workspace.freePort(o.samsaHttpPort() + portOffset);
        Path data = dir.resolve("data");
        List<String> lines = new ArrayList<>(List.of(
                "broker.id=0",
                "listeners=PLAINTEXT://127.0.0.1:" + port,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "log.dirs=" + data.resolve("kafka-logs"),
                "samsa.data.dir=" + data,
                "zookeeper.connect=",
                "zookeeper.embedded.port=" + zk,
                "zookeeper.embedded.dir=" + data.resolve("zookeeper"),
                "http.port=" + http,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0"));
        lines.addAll(engineProperties(engine));
        lines.addAll(o.samsaProps());
        try {
            Workspace.deleteTree(data);
            Files.createDirectories(data.resolve("kafka-logs"));
            Files.createDirectories(data.resolve("zookeeper"));
            Files.write(dir.resolve("server.properties"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return port;
    }

    /**
     * The runtime's default feature set minus the web console, with only the engine under test, and
     * storage.target naming it so that no other engine can be bound.
     */
    static List<String> engineProperties(String engine) {
        if (engine.equals("both")) {
            return List.of("samsa.features=platform,broker-core,storage-filechannel,storage-mmap,coordination-zookeeper");
        }
        return List.of("samsa.features=platform,broker-core,storage-" + engine + ",coordination-zookeeper",
                "storage.target=(storage.engine=" + engine + ")");
    }

    @Override
    protected List<String> command(int node, Path dir) {
        return List.of(workspace.options().samsaLauncher().toString(), dir.resolve("server.properties").toString());
    }

    @Override
    protected Map<String, String> environment(int node) {
        // The build happened before anything was timed; bin/broker must not start one now.
        return Map.of("SAMSA_OPTS", jvmOptions, "SAMSA_SKIP_BUILD", "1");
    }

    @Override
    protected List<Path> logFiles(int node, Path dir) {
        return List.of(dir.resolve("broker.log"), dir.resolve("data/logs/samsa.log"));
    }

    @Override
    public Path logDir(int node) {
        return dir.resolve("data/kafka-logs");
    }

    @Override
    protected void verifyStarted() {
        verifyEngine();
    }

    /**
     * Which engine the broker bound, from BrokerServer's start line in samsa.log; a mismatch is a
     * failure. A stand-in launcher that writes no samsa.log is recorded as not verified.
     */
    public void verifyEngine() {
        String expected = engine.equals("both") ? "mmap" : engine;
        Path log = dir.resolve("data/logs/samsa.log");
        boolean realLauncher = workspace.options().samsaLauncher().equals(workspace.rootDir().resolve("bin/broker"));
        if (!realLauncher && !Files.exists(log)) {
            engineVerified = "not verified (" + workspace.options().samsaLauncher() + " writes no data/logs/samsa.log)";
            return;
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        String used = null;
        while (used == null) {
            used = lastEngine(log);
            if (used == null && System.nanoTime() > deadline) {
                throw new BrokerFailure("cannot tell which storage engine Samsa used: no 'storage engine' line in " + log);
            }
            if (used == null) {
                pause(300);
            }
        }
        if (!used.equals(expected)) {
            throw new BrokerFailure("Samsa was started for storage engine '" + expected + "' but " + log
                    + " says it started with '" + used + "'");
        }
        engineVerified = used + ", verified in samsa.log";
    }

    private static String lastEngine(Path log) {
        try {
            if (!Files.exists(log)) {
                return null;
            }
            String used = null;
            Matcher m = ENGINE_LINE.matcher(Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1));
            while (m.find()) {
                used = m.group(1);
            }
            return used;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public List<String> details() {
        List<String> d = new ArrayList<>(super.details());
        d.add("storage engine: " + engineVerified);
        return d;
    }
}
