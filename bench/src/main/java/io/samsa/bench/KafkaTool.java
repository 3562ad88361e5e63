package io.samsa.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of Apache Kafka's tools (ProducerPerformance, ConsumerPerformance) as its own JVM,
 * bounded by a deadline and stopped as soon as the broker it talks to dies, instead of letting
 * the client retry until its own timeouts expire.
 */
public final class KafkaTool {

    /** What a finished tool run left: its exit code and output (also kept under bench/target/work). */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean mentionsErrors() {
            return stdout.contains("Exception") || stdout.contains("ERROR");
        }
    }

    private final Workspace workspace;

    public KafkaTool(Workspace workspace) {
        this.workspace = workspace;
    }

    /**
     * @param name    file name stem for the output, e.g. {@code kafka-produce-acks1}
     * @param watched the broker whose death ends the run; null for none
     */
    public Result run(String name, BrokerUnderTest watched, int timeoutSeconds, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx512m", "-cp", workspace.kafkaLib() + "/*",
                "-Dlog4j2.configurationFile=" + workspace.toolsLog4j(), mainClass));
        cmd.addAll(args);
        return runCommand(name, watched, timeoutSeconds, simpleName(mainClass), cmd);
    }

    /** Any command under the same watch, e.g. a stand-in tool in the harness's tests. */
    Result runCommand(String name, BrokerUnderTest watched, int timeoutSeconds, String what, List<String> cmd) {
        Path out = workspace.dir("tools").resolve(name + ".out");
        Path err = workspace.dir("tools").resolve(name + ".err");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                if (watched != null && !watched.alive()) {
                    kill(p);
                    throw new BrokerFailure("broker died while " + what + " ran (JVM pid " + watched.jvmPid() + " is gone)");
                }
                if (System.nanoTime() > deadline) {
                    kill(p);
                    throw new BrokerFailure(what + " did not finish within " + timeoutSeconds + "s");
                }
            }
            return new Result(p.exitValue(), read(out), read(err));
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new BrokerFailure("interrupted while " + what + " ran");
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String simpleName(String mainClass) {
        return mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    /** The last non-empty lines of a tool's stderr, for a failure message. */
    static String lastLines(String text, int n) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
