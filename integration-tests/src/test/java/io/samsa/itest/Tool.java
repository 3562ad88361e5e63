package io.samsa.itest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one of the repository's {@code bin/} scripts (Apache Kafka's own tools) as a process. */
final class Tool {

    final int exitCode;
    final String stdout;
    final String stderr;

    private Tool(int exitCode, String stdout, String stderr) {
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Process start(String script, String... args) throws IOException {
        return start(Map.of(), script, args);
    }

    /** Starts a script with {@code env} added to this process's environment. */
    static Process start(Map<String, String> env, String script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(SamsaProcess.ROOT.resolve("bin").resolve(script).toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(SamsaProcess.ROOT.toFile());
        pb.environment().putAll(env);
        // The build under test has just assembled the runtime; the scripts must not rebuild it.
        pb.environment().put("SAMSA_SKIP_BUILD", "1");
        return pb.start();
    }

    /** Runs a script to completion, feeding it {@code stdin}, within {@code timeout}. */
    static Tool run(Duration timeout, String stdin, String script, String... args) throws Exception {
        return runWith(timeout, Map.of(), stdin, script, args);
    }

    /** As {@link #run(Duration, String, String, String...)}, with {@code env} added to the environment. */
    static Tool runWith(Duration timeout, Map<String, String> env, String stdin, String script, String... args)
            throws Exception {
        Process p = start(env, script, args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = drain(p.getInputStream(), out);
        Thread e = drain(p.getErrorStream(), err);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(script + " " + String.join(" ", args) + " did not finish within " + timeout
                    + "\nstdout:\n" + out + "\nstderr:\n" + err);
        }
        o.join();
        e.join();
        return new Tool(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Thread drain(InputStream in, OutputStream sink) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // process ended
            }
        }, "tool-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (String l : stdout.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.trim());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
}
