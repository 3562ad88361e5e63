package io.samsa.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Where a run keeps its files, and the ports it hands out. {@code bench/target/work} holds each
 * broker's configuration, data and logs and every tool's output; results go to {@code bench/target}.
 */
public final class Workspace {
    private final Path benchDir;
    private final Path rootDir;
    private final Path target;
    private final Path work;
    private final BenchOptions options;
    private final Set<Integer> handedOut = new HashSet<>();

    public Workspace(Path benchDir, BenchOptions options) {
        this.benchDir = benchDir.toAbsolutePath().normalize();
        this.rootDir = this.benchDir.getParent();
        this.target = this.benchDir.resolve("target");
        this.work = target.resolve("work");
        this.options = options;
    }

    public BenchOptions options() {
        return options;
    }

    public Path benchDir() {
        return benchDir;
    }

    public Path rootDir() {
        return rootDir;
    }

    public Path target() {
        return target;
    }

    public Path work() {
        return work;
    }

    public Path kafkaLib() {
        return target.resolve("kafka-lib");
    }

    public Path toolsLog4j() {
        return benchDir.resolve("conf/tools-log4j2.properties");
    }

    public Path brokerLog4j() {
        return benchDir.resolve("conf/kafka-broker-log4j2.properties");
    }

    public Path dir(String name) {
        Path d = work.resolve(name);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    /**
     * The first port from {@code from} that 127.0.0.1 can bind now and that this run has not
     * handed out before: brokers of one run may start before the previous one freed its ports.
     */
    public synchronized int freePort(int from) {
        for (int p = from; p < from + 200 && p < 65536; p++) {
            if (handedOut.contains(p)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            } catch (IOException inUse) {
                continue;
            }
            handedOut.add(p);
            return p;
        }
        throw new IllegalStateException("no free port on 127.0.0.1 in " + from + ".." + (from + 199));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            Log.info("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
