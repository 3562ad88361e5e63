package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Clients that are not kafka-clients: librdkafka (kcat and confluent-kafka-python),
 * kafka-python and kafkajs, each producing and consuming through a consumer group against the
 * assembled runtime. {@code bin/test} installs them.
 */
public class OtherLanguageClientsIT {

    /** Debian's Python, which the distribution's client packages install into. */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private static SamsaProcess samsa;

    @BeforeClass
    public static void startBroker() throws Exception {
        samsa = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-polyglot"), Map.of()).start();
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (samsa != null) {
            samsa.close();
        }
    }

    @Test
    public void kcatProducesAndConsumes() throws Exception {
        String topic = "kcat-topic";
        KafkaClients.createTopic(samsa.bootstrap(), topic, 3);
        Result produce = run(List.of("kcat", "-b", samsa.bootstrap(), "-t", topic, "-P", "-X", "acks=all"),
                "kcat-1\nkcat-2\nkcat-3\n");
        assertEquals(produce.toString(), 0, produce.exit);
        Result consume = run(List.of("kcat", "-b", samsa.bootstrap(), "-t", topic, "-C", "-o", "beginning", "-e", "-q"),
                null);
        assertEquals(consume.toString(), 0, consume.exit);
        List<String> lines = consume.lines();
        lines.sort(null);
        assertEquals(consume.toString(), List.of("kcat-1", "kcat-2", "kcat-3"), lines);

        Result metadata = run(List.of("kcat", "-b", samsa.bootstrap(), "-L", "-t", topic), null);
        assertEquals(metadata.toString(), 0, metadata.exit);
        assertTrue(metadata.toString(), metadata.out.contains("3 partitions"));
    }

    @Test
    public void kafkaPythonProducesAndConsumesInAGroup() throws Exception {
        roundTrip("kafka-python", List.of(PYTHON, script("kafka_python_roundtrip.py").toString()), "py-topic");
    }

    @Test
    public void librdkafkaPythonProducesAndConsumesInAGroup() throws Exception {
        roundTrip("librdkafka", List.of(PYTHON, script("confluent_kafka_roundtrip.py").toString()), "rdkafka-topic");
    }

    @Test
    public void kafkajsProducesAndConsumesInAGroup() throws Exception {
        Path js = SamsaProcess.ROOT.resolve("integration-tests/target/js");
        Path target = js.resolve("kafkajs_roundtrip.js");
        Files.copy(script("kafkajs_roundtrip.js"), target, StandardCopyOption.REPLACE_EXISTING);
        roundTrip("kafkajs", List.of("node", target.toString()), "js-topic");
    }

    private void roundTrip(String prefix, List<String> command, String topic) throws Exception {
        KafkaClients.createTopic(samsa.bootstrap(), topic, 3);
        List<String> cmd = new ArrayList<>(command);
        cmd.add(samsa.bootstrap());
        cmd.add(topic);
        cmd.add("20");
        Result r = run(cmd, null);
        assertEquals(r.toString(), 0, r.exit);
        List<String> got = r.lines();
        assertEquals(r.toString(), 20, got.size());
        for (int i = 0; i < 20; i++) {
            assertTrue(prefix + " record " + i + " consumed: " + r, got.contains(prefix + "-" + i));
        }
    }

    private static Path script(String name) throws IOException {
        Path dir = Files.createDirectories(SamsaProcess.ROOT.resolve("integration-tests/target/polyglot"));
        Path f = dir.resolve(name);
        try (InputStream in = OtherLanguageClientsIT.class.getResourceAsStream("/polyglot/" + name)) {
            Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
        }
        return f;
    }

    private static Result run(List<String> cmd, String stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Thread o = Tool.drain(p.getInputStream(), out);
        Thread e = Tool.drain(p.getErrorStream(), err);
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes());
            }
        }
        if (!p.waitFor(Duration.ofSeconds(120).toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(cmd + " did not finish in 120 s\nstdout:\n" + out + "\nstderr:\n" + err);
        }
        o.join();
        e.join();
        return new Result(p.exitValue(), out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err) {
        List<String> lines() {
            List<String> l = new ArrayList<>();
            for (String s : out.split("\n")) {
                if (!s.isBlank()) {
                    l.add(s.trim());
                }
            }
            return l;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }
}
