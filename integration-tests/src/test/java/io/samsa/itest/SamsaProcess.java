package io.samsa.itest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The assembled runtime ({@code runtime/target/samsa}) started as a separate process, the way
 * {@code bin/broker} starts it, with its own data dir and loopback ports.
 */
final class SamsaProcess implements AutoCloseable {

    static final Path ROOT = Paths.get(System.getProperty("samsa.root", "..")).toAbsolutePath().normalize();
    static final Path HOME = ROOT.resolve("runtime/target/samsa");

    final int kafkaPort;
    final int zkPort;
    final int httpPort;
    final Path dataDir;
    private final Path propertiesFile;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private int openFileLimit;
    private List<String> jvmOptions = List.of("-Xmx512m");

    SamsaProcess(Path dataDir, Map<String, String> extra) throws IOException {
        this.kafkaPort = SamsaOsgiTestSupport.freePort();
        this.zkPort = SamsaOsgiTestSupport.freePort();
        this.httpPort = SamsaOsgiTestSupport.freePort();
        this.dataDir = dataDir;
        StringBuilder props = new StringBuilder();
        props.append("listeners=PLAINTEXT://127.0.0.1:").append(kafkaPort).append('\n');
        props.append("samsa.data.dir=").append(dataDir).append('\n');
        props.append("log.dirs=").append(dataDir.resolve("kafka-logs")).append('\n');
        props.append("zookeeper.embedded.port=").append(zkPort).append('\n');
        props.append("http.port=").append(httpPort).append('\n');
        props.append("offsets.topic.num.partitions=5\n");
        props.append("group.initial.rebalance.delay.ms=0\n");
        if (!extra.containsKey("broker.id")) {
            props.append("broker.id=0\n");
        }
        extra.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.createDirectories(dataDir);
        this.propertiesFile = dataDir.resolve("server.properties");
        Files.writeString(propertiesFile, props.toString());
    }

    /** Starts the broker under {@code ulimit -n limit}, to see how it copes with running out of descriptors. */
    SamsaProcess withOpenFileLimit(int limit) {
        this.openFileLimit = limit;
        return this;
    }

    /** Runs the broker's JVM with these options instead of the default {@code -Xmx512m}. */
    SamsaProcess withJvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    /** Adds lines to the server.properties, after the ones written here: a key given twice takes the later value. */
    void appendProperties(Map<String, String> more) throws IOException {
        StringBuilder props = new StringBuilder();
        more.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.writeString(propertiesFile, props.toString(), java.nio.file.StandardOpenOption.APPEND);
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    static Path launcherJar() throws IOException {
        Path lib = HOME.resolve("lib");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(lib, "*launcher*.jar")) {
            for (Path p : jars) {
                return p;
            }
        }
        throw new IllegalStateException("No launcher jar in " + lib + ": build the runtime first (mvn install)");
    }

    /** Starts the broker and waits for its ready line. */
    SamsaProcess start() throws Exception {
        return start(false);
    }

    /**
     * Starts the broker, with an interactive Gogo shell on its standard input when
     * {@code shell} is true, and waits for its ready line.
     */
    SamsaProcess start(boolean shell) throws Exception {
        return start(shell, 0);
    }

    /** Starts a broker whose {@code broker.id} is {@code brokerId} and waits for its ready line. */
    SamsaProcess start(int brokerId) throws Exception {
        return start(false, brokerId);
    }

    private SamsaProcess start(boolean shell, int brokerId) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(launcherJar().toString());
        if (shell) {
            cmd.add("--shell");
        }
        cmd.add(propertiesFile.toString());
        if (openFileLimit > 0) {
            // exec keeps the broker's pid the one this object reports.
            cmd.addAll(0, List.of("bash", "-c", "ulimit -n " + openFileLimit + " && exec \"$@\"", "samsa"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(HOME.toFile()).redirectErrorStream(true);
        // On a restart the output still holds the previous run's ready line: look only past it.
        int firstLineOfThisRun = output.size();
        process = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "samsa-process-output");
        reader.setDaemon(true);
        reader.start();
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String ready = "[KafkaServer id=" + brokerId + "] started";
        while (!printedSince(firstLineOfThisRun, ready)) {
            if (!process.isAlive()) {
                throw new AssertionError("Samsa exited with " + process.exitValue() + " before it was ready:\n" + output());
            }
            if (System.nanoTime() > end) {
                // The caller never gets this object to close: end the process here.
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError("Samsa not ready after 90 s:\n" + output());
            }
            Thread.sleep(50);
        }
        return this;
    }

    private boolean printedSince(int firstLine, String text) {
        for (int i = firstLine; i < output.size(); i++) {
            if (output.get(i).contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** Types a command into the broker's Gogo shell. */
    void shell(String command) throws IOException {
        java.io.OutputStream in = process.getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    List<String> outputLines() {
        return output;
    }

    String output() {
        return String.join("\n", output);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: the process dies mid-write, with no chance to flush or mark a clean shutdown. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, as an operator's Ctrl-C or service manager would, and wait for a clean exit. */
    int stop() throws InterruptedException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("Samsa did not stop within 60 s of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
