package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The seed's section 6, run as its reader would: Apache Kafka's own CLI tools through the
 * repository's {@code bin/kafka-*.sh}, and the Java examples compiled against the client library
 * the seed used, all against the assembled runtime started as a process. Only the host is
 * changed (to 127.0.0.1 and a free port).
 */
public class SeedExamplesIT {

    private static SamsaProcess samsa;
    private static String host;

    @BeforeClass
    public static void startBroker() throws Exception {
        samsa = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-seed"), Map.of()).start();
        host = samsa.bootstrap();
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (samsa != null) {
            int code = samsa.stop();
            // A JVM ended by SIGTERM after its shutdown hooks ran exits with 128 + 15.
            assertTrue("clean exit on SIGTERM, got " + code + "\n" + samsa.output(), code == 0 || code == 143);
        }
    }

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);

    /** 6.1: create a topic, then --list shows it. */
    @Test
    public void seed61CreateAndListTopic() throws Exception {
        Tool create = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--create", "--bootstrap-server", host,
                "--replication-factor", "1", "--partitions", "1", "--topic", "seed61");
        assertEquals(create.toString(), 0, create.exitCode);
        assertTrue(create.toString(), create.stdout.contains("Created topic seed61."));

        Tool list = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--list", "--bootstrap-server", host);
        assertEquals(list.toString(), 0, list.exitCode);
        assertTrue(list.toString(), list.lines().contains("seed61"));

        Tool again = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--create", "--bootstrap-server", host,
                "--replication-factor", "1", "--partitions", "1", "--topic", "seed61");
        assertTrue("a second create names the problem: " + again, (again.stdout + again.stderr).contains("already exists"));

        Tool describe = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--describe", "--bootstrap-server", host,
                "--topic", "seed61");
        assertEquals(describe.toString(), 0, describe.exitCode);
        assertTrue(describe.toString(), describe.stdout.contains("PartitionCount: 1"));
        assertTrue(describe.toString(), describe.stdout.contains("Leader: 0"));
    }

    /** 6.2: delete the topic, then --list no longer shows it. */
    @Test
    public void seed62DeleteTopic() throws Exception {
        Tool create = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--create", "--bootstrap-server", host,
                "--replication-factor", "1", "--partitions", "1", "--topic", "seed62");
        assertEquals(create.toString(), 0, create.exitCode);
        Tool delete = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--delete", "--bootstrap-server", host,
                "--topic", "seed62");
        assertEquals(delete.toString(), 0, delete.exitCode);
        KafkaClients.waitUntil("seed62 to disappear from --list", Duration.ofSeconds(60), () -> {
            try {
                Tool list = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--list", "--bootstrap-server", host);
                return list.exitCode == 0 && !list.lines().contains("seed62");
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** 6.3: type "test 1" into the console producer (old --broker-list flag); the console consumer prints it. */
    @Test
    public void seed63ConsoleProducerToConsoleConsumer() throws Exception {
        Tool create = Tool.run(TOOL_TIMEOUT, null, "kafka-topics.sh", "--create", "--bootstrap-server", host,
                "--replication-factor", "1", "--partitions", "1", "--topic", "seed63");
        assertEquals(create.toString(), 0, create.exitCode);

        Process consumer = Tool.start("kafka-console-consumer.sh", "--bootstrap-server", host, "--topic", "seed63");
        List<String> printed = collectLines(consumer.getInputStream());
        try {
            // The consumer starts at the end of the log, so type lines until it is listening.
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!printed.contains("test 1")) {
                assertTrue("console consumer printed nothing within 90 s; it printed " + printed, System.nanoTime() < end);
                Tool produce = Tool.run(TOOL_TIMEOUT, "test 1\n", "kafka-console-producer.sh",
                        "--broker-list", host, "--topic", "seed63");
                assertEquals(produce.toString(), 0, produce.exitCode);
                waitFor(printed, "test 1", Duration.ofSeconds(3));
            }
            assertEquals("the consumer prints exactly what was typed", "test 1", printed.get(0));
        } finally {
            consumer.destroy();
            consumer.waitFor(30, TimeUnit.SECONDS);
        }

        Tool fromBeginning = Tool.run(TOOL_TIMEOUT, null, "kafka-console-consumer.sh", "--bootstrap-server", host,
                "--topic", "seed63", "--from-beginning", "--max-messages", "1");
        assertEquals(fromBeginning.toString(), 0, fromBeginning.exitCode);
        assertEquals("test 1", fromBeginning.lines().get(0));
    }

    /**
     * 6.4: the ConsumerExample (group "test", session.timeout.ms 10000, poll loop) runs, then the
     * ProducerExample (acks=all) sends hello-0..hello-4, and the consumer prints them.
     */
    @Test
    public void seed64JavaProducerAndConsumerExamples() throws Exception {
        Path classes = compileSeedExamples();
        Process consumer = runExample(classes, "kr.oss.example.kafka.consumer.ConsumerExample");
        List<String> printed = collectLines(consumer.getInputStream());
        StringBuilder consumerErr = new StringBuilder();
        collectInto(consumer.getErrorStream(), consumerErr);
        try {
            // The example starts at the log end: wait until its group holds a position (auto
            // commit of the reset offset) before the producer runs, as a reader would.
            try (Admin admin = KafkaClients.admin(host)) {
                KafkaClients.waitUntil("the ConsumerExample's group 'test' to be stable with a committed position",
                        Duration.ofSeconds(90), () -> {
                            try {
                                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("test"))
                                        .describedGroups().get("test").get();
                                return d.groupState() == GroupState.STABLE
                                        && !admin.listConsumerGroupOffsets("test").partitionsToOffsetAndMetadata()
                                                .get().isEmpty();
                            } catch (Exception e) {
                                return false;
                            }
                        });
            }
            Process producer = runExample(classes, "kr.oss.example.kafka.producer.ProducerExample");
            StringBuilder producerOut = new StringBuilder();
            collectInto(producer.getErrorStream(), producerOut);
            assertTrue("ProducerExample finished", producer.waitFor(120, TimeUnit.SECONDS));
            assertEquals("ProducerExample exit code; its log:\n" + producerOut, 0, producer.exitValue());

            waitFor(printed, "hello-4", Duration.ofSeconds(60));
            List<String> hellos = new ArrayList<>();
            for (String l : printed) {
                if (l.startsWith("hello-")) {
                    hellos.add(l);
                }
            }
            assertEquals("consumer output; its log:\n" + consumerErr,
                    List.of("hello-0", "hello-1", "hello-2", "hello-3", "hello-4"), hellos);
        } finally {
            consumer.destroy();
            consumer.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Path compileSeedExamples() throws Exception {
        Path lib = Paths.get(System.getProperty("samsa.seed.lib"));
        Path out = SamsaOsgiTestSupport.tempDir("seed-classes");
        Path src = SamsaOsgiTestSupport.tempDir("seed-src");
        StringBuilder classpath = new StringBuilder();
        try (var jars = Files.newDirectoryStream(lib, "*.jar")) {
            for (Path jar : jars) {
                classpath.append(jar).append(File.pathSeparator);
            }
        }
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", classpath.toString(),
                "-nowarn", "-encoding", "UTF-8"));
        for (String name : List.of("ProducerExample", "ConsumerExample")) {
            try (InputStream in = SeedExamplesIT.class.getResourceAsStream("/seed/" + name + ".java")) {
                String code = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@BOOTSTRAP@", host);
                Path f = src.resolve(name + ".java");
                Files.writeString(f, code);
                args.add(f.toString());
            }
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals("the seed examples compile against kafka-clients 2.3.0", 0,
                javac.run(null, null, null, args.toArray(new String[0])));
        return out;
    }

    private static Process runExample(Path classes, String mainClass) throws IOException {
        Path lib = Paths.get(System.getProperty("samsa.seed.lib"));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", classes + File.pathSeparator + lib.resolve("*"), mainClass).start();
    }

    private static List<String> collectLines(InputStream in) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l.trim());
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "example-output");
        t.setDaemon(true);
        t.start();
        return lines;
    }

    private static void collectInto(InputStream in, StringBuilder sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (sink) {
                        sink.append(l).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "example-log");
        t.setDaemon(true);
        t.start();
    }

    private static void waitFor(List<String> lines, String line, Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (!lines.contains(line) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }
}
