package io.samsa.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One broker (today: one node) the harness starts, measures and stops. Each node is launched in
 * its own session and process group ({@code setsid}) with a raised open-files limit, so stopping
 * it reaches every process it started (a launcher script, the JVM) and nothing else; the JVM
 * that serves the client port is the one sampled.
 *
 * <p>Subclasses say how to configure and launch node {@code i}; a cluster of N nodes is the same
 * broker with {@code nodes = N}, its bootstrap list naming every node.
 */
public abstract class BrokerUnderTest implements AutoCloseable {

    /** The open-files limit asked for each node: 10,000 client connections need more than 1024. */
    static final int OPEN_FILES = 65536;

    /** A running node: its process group leader, its JVM once known, its client port. */
    protected record Node(Process group, int port, Path dir, long[] jvm) {
        long jvmPid() {
            return jvm[0] > 0 ? jvm[0] : group.pid();
        }
    }

    protected final Workspace workspace;
    private final String label;
    private final String displayName;
    private final int nodeCount;
    private final List<Node> nodes = new ArrayList<>();
    private TopicAdmin admin;

    /** Process groups started and not yet stopped, for the shutdown hook of an interrupted run. */
    private static final java.util.Set<Long> LIVE_GROUPS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE_GROUPS.forEach(g -> stopGroup(g, "group " + g)),
                "stop-brokers"));
    }

    protected BrokerUnderTest(Workspace workspace, String label, String displayName, int nodeCount) {
        if (nodeCount != 1) {
            throw new IllegalArgumentException("only single-node brokers are implemented, got " + nodeCount + " nodes");
        }
        this.workspace = workspace;
        this.label = label;
        this.displayName = displayName;
        this.nodeCount = nodeCount;
    }

    /** Short key for results files: {@code kafka}, {@code samsa-mmap}. */
    public String label() {
        return label;
    }

    /** Name for tables and failure messages: {@code Apache Kafka 4.4.0}, {@code Samsa (mmap)}. */
    public String displayName() {
        return displayName;
    }

    /** Writes node {@code node}'s configuration under {@code dir}, picks its ports; returns its client port. */
    protected abstract int configure(int node, Path dir);

    /** The command that runs node {@code node}, started in {@code dir}. */
    protected abstract List<String> command(int node, Path dir);

    protected Map<String, String> environment(int node) {
        return Map.of();
    }

    /** The node's log files, newest information last, tailed when it fails. */
    protected abstract List<Path> logFiles(int node, Path dir);

    /** Where node {@code node} keeps partition directories ({@code <topic>-<partition>}). */
    public abstract Path logDir(int node);

    /** Checks after start-up that the broker is what was asked for (e.g. its storage engine). */
    protected void verifyStarted() {
    }

    /** Facts for the results' details section. */
    public List<String> details() {
        List<String> lines = new ArrayList<>();
        for (Node n : nodes) {
            lines.add("JVM: `" + ProcessInfo.commandLine(n.jvmPid()) + "`");
        }
        return lines;
    }

    public final void start() {
        int timeout = workspace.options().startTimeoutSeconds();
        for (int i = 0; i < nodeCount; i++) {
            Path dir = workspace.dir(label + (nodeCount > 1 ? "-" + i : ""));
            int port = configure(i, dir);
            nodes.add(launch(i, dir, port));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        for (Node n : nodes) {
            waitForPort(n, deadline, timeout);
            n.jvm()[0] = findJvm(n.group().toHandle());
        }
        awaitReady(deadline, timeout);
        verifyStarted();
        Log.info(displayName + ": ready on " + bootstrap() + ", JVM pid " + jvmPid());
    }

    /** Polls until the broker answers a metadata request, failing at once if it dies. */
    protected void awaitReady(long deadlineNanos, int timeoutSeconds) {
        admin = new TopicAdmin(bootstrap());
        admin.awaitReady(this, deadlineNanos, timeoutSeconds);
    }

    private Node launch(int node, Path dir, int port) {
        List<String> cmd = new ArrayList<>(List.of("setsid", "bash", "-c",
                "ulimit -n " + OPEN_FILES + " 2>/dev/null || ulimit -n \"$(ulimit -Hn)\"; exec \"$@\"", "broker"));
        cmd.addAll(command(node, dir));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker.log").toFile())
                .redirectInput(new File("/dev/null"));
        pb.environment().putAll(environment(node));
        Log.info(displayName + ": starting " + String.join(" ", command(node, dir)));
        try {
            Process p = pb.start();
            LIVE_GROUPS.add(p.pid());
            return new Node(p, port, dir, new long[1]);
        } catch (IOException e) {
            throw new BrokerFailure("could not run " + cmd + ": " + e.getMessage(), e);
        }
    }

    private void waitForPort(Node n, long deadline, int timeout) {
        while (!accepts(n.port())) {
            if (!n.group().isAlive()) {
                throw new BrokerFailure("broker process " + n.group().pid() + " exited before listening on 127.0.0.1:"
                        + n.port() + " (exit code " + n.group().exitValue() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new BrokerFailure("broker did not listen on 127.0.0.1:" + n.port() + " within " + timeout + "s");
            }
            pause(200);
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The JVM among the processes of a node: a launcher script may stay as its parent, and a
     * stand-in launcher may run short-lived JVMs (a storage format) before the broker's; the
     * broker is the java process with the most threads.
     */
    private static long findJvm(ProcessHandle root) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants())
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .max(Comparator.comparingInt(h -> ProcessInfo.sample(h.pid()).threads()))
                .map(ProcessHandle::pid).orElse(root.pid());
    }

    public String bootstrap() {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes) {
            b.append(b.isEmpty() ? "" : ",").append("127.0.0.1:").append(n.port());
        }
        return b.toString();
    }

    public TopicAdmin admin() {
        return admin;
    }

    /** Pid of node 0's JVM. */
    public long jvmPid() {
        return nodes.get(0).jvmPid();
    }

    public int port(int node) {
        return nodes.get(node).port();
    }

    /** True while every node's JVM is alive. */
    public boolean alive() {
        for (Node n : nodes) {
            if (!ProcessHandle.of(n.jvmPid()).map(ProcessHandle::isAlive).orElse(false)) {
                return false;
            }
        }
        return !nodes.isEmpty();
    }

    public void checkAlive(String during) {
        if (!alive()) {
            throw new BrokerFailure("broker died " + during + " (JVM pid " + jvmPid() + " is gone)");
        }
    }

    /** RSS, threads and CPU summed over the nodes; {@link ProcessInfo.Sample#GONE} if one is gone. */
    public ProcessInfo.Sample sample() {
        long rss = 0, anon = 0, file = 0, hwm = 0, cpu = 0;
        int threads = 0;
        for (Node n : nodes) {
            ProcessInfo.Sample s = ProcessInfo.sample(n.jvmPid());
            if (s.gone()) {
                return ProcessInfo.Sample.GONE;
            }
            rss += s.rssKb();
            anon += s.rssAnonKb();
            file += s.rssFileKb();
            hwm += s.hwmKb();
            threads += s.threads();
            cpu += s.cpuTicks();
        }
        return new ProcessInfo.Sample(rss, anon, file, hwm, threads, cpu);
    }

    /** The last lines of every log of every node, for a failure report. */
    public String logTails(int lines) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            for (Path f : logFiles(i, nodes.get(i).dir())) {
                tail(f, lines, out);
            }
        }
        return out.toString();
    }

    static void tail(Path f, int lines, StringBuilder out) {
        try {
            if (!Files.isRegularFile(f) || Files.size(f) == 0) {
                return;
            }
            List<String> all = Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1);
            out.append("---- last ").append(lines).append(" lines of ").append(f).append(" ----\n");
            for (String l : all.subList(Math.max(0, all.size() - lines), all.size())) {
                out.append(l).append('\n');
            }
            out.append("----\n");
        } catch (IOException e) {
            out.append("(cannot read ").append(f).append(": ").append(e.getMessage()).append(")\n");
        }
    }

    /** Stops every node: TERM to its process group, KILL after 30 s. Safe to call twice. */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
        for (Node n : nodes) {
            stopGroup(n.group().pid(), displayName);
            LIVE_GROUPS.remove(n.group().pid());
        }
        nodes.clear();
    }

    static void stopGroup(long pgid, String what) {
        if (!groupAlive(pgid)) {
            return;
        }
        signalGroup(pgid, "TERM");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (groupAlive(pgid)) {
            if (System.nanoTime() > deadline) {
                Log.info(what + ": process group " + pgid + " did not stop within 30 s, killing it");
                signalGroup(pgid, "KILL");
                break;
            }
            pause(200);
        }
    }

    static boolean groupAlive(long pgid) {
        return signalGroup(pgid, "0");
    }

    private static boolean signalGroup(long pgid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return kill.waitFor() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerFailure("interrupted");
        }
    }
}
