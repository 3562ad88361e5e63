package io.samsa.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka 4.4.0 in KRaft combined mode ({@code process.roles=broker,controller}), storage
 * formatted with a random cluster id before the start, run from {@code bench/target/kafka-lib}.
 */
public final class KafkaBroker extends BrokerUnderTest {
    private final int firstPort;
    private Path dataDir;

    public KafkaBroker(Workspace workspace, String label, String displayName, int firstPort) {
        super(workspace, label, displayName, 1);
        this.firstPort = firstPort;
    }

    @Override
    protected int configure(int node, Path dir) {
        int port = workspace.freePort(firstPort);
        int controller = workspace.freePort(port + 1);
        dataDir = dir.resolve("data");
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0", "");
        try {
            Workspace.deleteTree(dataDir);
            Files.createDirectories(dataDir);
            Files.writeString(dir.resolve("server.properties"), props);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        format(dir);
        return port;
    }

    private void format(Path dir) {
        Path log = dir.resolve("format.log");
        List<String> cmd = List.of("java", "-cp", workspace.kafkaLib() + "/*",
                "-Dlog4j2.configurationFile=" + workspace.toolsLog4j(), "kafka.tools.StorageTool", "format",
                "--config", dir.resolve("server.properties").toString(), "--cluster-id", Uuid.randomUuid().toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BrokerFailure("kafka-storage format did not finish within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new BrokerFailure("kafka-storage format failed: " + Files.readString(log).strip());
            }
        } catch (IOException e) {
            throw new BrokerFailure("could not run kafka-storage format: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerFailure("interrupted");
        }
    }

    @Override
    protected List<String> command(int node, Path dir) {
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(List.of(workspace.options().heapOptions().split(" ")));
        cmd.addAll(List.of("-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + workspace.brokerLog4j(),
                "-Dbench.log.file=" + dir.resolve("server.log"), "-cp", workspace.kafkaLib() + "/*", "kafka.Kafka",
                dir.resolve("server.properties").toString()));
        return cmd;
    }

    @Override
    protected List<Path> logFiles(int node, Path dir) {
        return List.of(dir.resolve("broker.log"), dir.resolve("server.log"));
    }

    @Override
    public Path logDir(int node) {
        return dataDir;
    }
}
