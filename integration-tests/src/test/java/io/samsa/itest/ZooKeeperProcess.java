package io.samsa.itest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.samsa.testsupport.Poll;

/**
 * A ZooKeeper server in a JVM of its own, standalone or one node of an ensemble, run from the ZooKeeper the runtime ships
 * ({@code runtime/target/samsa/bundles}): cluster tests need coordination that survives, and can
 * be faulted, independently of every broker, which the embedded server of broker 0 cannot.
 * <p>
 * {@code tickTime} is 500 ms so that sessions of 1 to 10 s are allowed and broker loss shows within
 * seconds; the admin server (Jetty, not shipped) is off; only {@code srvr} of the four-letter words
 * is on, to learn when the server serves.
 */
final class ZooKeeperProcess implements AutoCloseable {

    static final int TICK_TIME_MS = 500;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Jar name prefixes the server needs on the class path: the merged ZooKeeper bundle, slf4j
     * with a binding, and snappy-java, which the snapshot code links even for plain snapshots.
     */
    static final List<String> CLASS_PATH_JARS = List.of("zookeeper-osgi-", "slf4j-api-", "slf4j-simple-",
            "snappy-java-");

    final int clientPort;
    final Path dataDir;
    private final Path config;
    private final Path log;
    private Process process;

    /**
     * @param quorum {@code server.N} lines of an ensemble, empty for a standalone server
     * @param myId this node's N in {@code quorum} (written to {@code myid}); ignored when standalone
     */
    private ZooKeeperProcess(Path dataDir, int clientPort, String quorum, int myId) throws IOException {
        this.clientPort = clientPort;
        this.dataDir = dataDir;
        Path data = dataDir.resolve("data");
        Files.createDirectories(data);
        this.config = dataDir.resolve("zoo.cfg");
        this.log = dataDir.resolve("zookeeper.log");
        StringBuilder cfg = new StringBuilder()
                .append("tickTime=").append(TICK_TIME_MS).append('\n')
                .append("dataDir=").append(data).append('\n')
                .append("clientPort=").append(clientPort).append('\n')
                .append("clientPortAddress=127.0.0.1\n")
                .append("admin.enableServer=false\n")
                .append("4lw.commands.whitelist=srvr\n");
        if (!quorum.isEmpty()) {
            // initLimit/syncLimit in ticks: 5 s to join, 2.5 s of follower lag
            cfg.append("initLimit=10\nsyncLimit=5\n").append(quorum);
            Files.writeString(data.resolve("myid"), myId + "\n");
        }
        Files.writeString(config, cfg.toString());
    }

    /** Starts a standalone server with its data in {@code dataDir} and waits until it serves. */
    static ZooKeeperProcess start(Path dataDir) throws IOException {
        ZooKeeperProcess zk = new ZooKeeperProcess(dataDir, SamsaOsgiTestSupport.freePort(), "", 0);
        zk.launch();
        zk.awaitServing();
        return zk;
    }

    /**
     * Starts an ensemble of {@code size} servers (myid 1..size, data in {@code dir}/zk-N, quorum
     * and election ports on 127.0.0.1) and waits until each serves as leader or follower.
     */
    static List<ZooKeeperProcess> startEnsemble(int size, Path dir) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("an ensemble needs at least one server, not " + size);
        }
        int[] clientPorts = new int[size];
        StringBuilder quorum = new StringBuilder();
        for (int i = 0; i < size; i++) {
            clientPorts[i] = SamsaOsgiTestSupport.freePort();
            quorum.append("server.").append(i + 1).append("=127.0.0.1:").append(SamsaOsgiTestSupport.freePort())
                    .append(':').append(SamsaOsgiTestSupport.freePort()).append('\n');
        }
        List<ZooKeeperProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                ZooKeeperProcess zk = new ZooKeeperProcess(dir.resolve("zk-" + (i + 1)), clientPorts[i],
                        quorum.toString(), i + 1);
                nodes.add(zk);
                zk.launch();
            }
            // A node serves only once a quorum has formed: all must run before any is awaited.
            for (ZooKeeperProcess zk : nodes) {
                zk.awaitServing();
            }
            return nodes;
        } catch (IOException | RuntimeException | Error e) {
            nodes.forEach(ZooKeeperProcess::close);
            throw e;
        }
    }

    /** The connect string of several servers, as {@code zookeeper.connect} takes it. */
    static String connectString(List<ZooKeeperProcess> nodes) {
        return String.join(",", nodes.stream().map(ZooKeeperProcess::connectString).toList());
    }

    /**
     * The jars of {@link #CLASS_PATH_JARS} found in {@code bundlesDir}.
     *
     * @throws IllegalStateException naming the missing jars when one is absent
     */
    static List<Path> classPath(Path bundlesDir) throws IOException {
        List<Path> jars = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String prefix : CLASS_PATH_JARS) {
            Path found = null;
            if (Files.isDirectory(bundlesDir)) {
                try (DirectoryStream<Path> matches = Files.newDirectoryStream(bundlesDir, prefix + "*.jar")) {
                    for (Path p : matches) {
                        found = p;
                    }
                }
            }
            if (found == null) {
                missing.add(prefix + "*.jar");
            } else {
                jars.add(found);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Cannot run ZooKeeper: " + String.join(", ", missing) + " not in "
                    + bundlesDir + "; build the runtime first (mvn verify -pl integration-tests -am)");
        }
        return jars;
    }

    String connectString() {
        return "127.0.0.1:" + clientPort;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The server's log (stdout and stderr), for failure messages. */
    String output() {
        try {
            String all = Files.readString(log, StandardCharsets.UTF_8);
            return all.length() > 8000 ? "..." + all.substring(all.length() - 8000) : all;
        } catch (IOException e) {
            return "(no ZooKeeper log at " + log + ": " + e.getMessage() + ")";
        }
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dzookeeper.jmx.log4j.disable=true"));
        cmd.add("-cp");
        cmd.add(String.join(java.io.File.pathSeparator,
                classPath(SamsaProcess.HOME.resolve("bundles")).stream().map(Path::toString).toList()));
        cmd.add("org.apache.zookeeper.server.quorum.QuorumPeerMain");
        cmd.add(config.toString());
        process = new ProcessBuilder(cmd).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private void awaitServing() {
        try {
            // The server can outlive a failed start (its main thread dies, others stay): wait for
            // it to answer, not for the process to exist.
            Poll.until(READY_TIMEOUT, () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("ZooKeeper exited with " + process.exitValue() + " before serving");
                }
                return mode().isPresent();
            }, "ZooKeeper on " + connectString() + " serves (srvr answers with its mode)");
        } catch (AssertionError e) {
            destroy();
            throw new AssertionError(e.getMessage() + "\n" + output(), e);
        }
    }

    /** Starts a server that was killed again, with its data, and waits until it serves. */
    void restart() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("ZooKeeper on " + connectString() + " still runs: kill it first");
        }
        launch();
        awaitServing();
    }

    /**
     * What {@code srvr} says this server is: standalone, leader or follower; empty while it does
     * not serve (no quorum yet, or not answering).
     */
    Optional<String> mode() {
        return mode(clientPort);
    }

    /** What {@code srvr} says the server on {@code clientPort} of 127.0.0.1 is; empty while it does not serve. */
    static Optional<String> mode(int clientPort) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), clientPort)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            for (String line : answer.split("\n")) {
                if (line.startsWith("Mode: ")) {
                    return Optional.of(line.substring("Mode: ".length()).trim());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** SIGKILL: the server vanishes; clients keep their sessions only if it comes back in time. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the server is silent; its clients' sessions do not expire while it is paused. */
    void pause() {
        ProcessSignals.pause(pid());
    }

    void resume() {
        ProcessSignals.resume(pid());
    }

    private void destroy() {
        if (process != null && process.isAlive()) {
            // A paused process would never act on SIGTERM.
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends the server with SIGKILL: its data dir is thrown away, so a clean shutdown buys nothing. */
    @Override
    public void close() {
        destroy();
    }
}
