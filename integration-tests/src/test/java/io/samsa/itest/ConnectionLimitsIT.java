package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.Assume;
import org.junit.Test;

/**
 * The assembled runtime under a low {@code ulimit -n}: connections until accept fails with "Too
 * many open files". The acceptor must back off (a bounded number of failed attempts and log
 * lines, not a spin), name the failure in the log, and serve real clients again once the
 * descriptors are free.
 */
public class ConnectionLimitsIT {

    private static final int OPEN_FILE_LIMIT = 512;
    private static final Pattern RECOVERED = Pattern.compile("Accepting connections on \\S+ again after (\\d+) failed");

    @Test
    public void runningOutOfFileDescriptorsBacksOffAndRecovers() throws Exception {
        Assume.assumeTrue("needs /proc to count the broker's descriptors", Files.isDirectory(Path.of("/proc/self/fd")));
        List<Socket> sockets = new ArrayList<>();
        try (SamsaProcess samsa = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-fd-limit"), Map.of())
                .withOpenFileLimit(OPEN_FILE_LIMIT).start()) {
            KafkaClients.createTopic(samsa.bootstrap(), "fd-limit", 1);
            int used = openFiles(samsa.pid());
            assertTrue("the broker has " + used + " descriptors open at start", used < OPEN_FILE_LIMIT - 20);

            // Enough to exhaust the broker's descriptors, plus a few that wait in the accept backlog.
            int wanted = OPEN_FILE_LIMIT - used + 10;
            for (int i = 0; i < wanted; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress("127.0.0.1", samsa.kafkaPort), 5000);
                } catch (IOException backlogFull) {
                    socket.close();
                    break;
                }
                sockets.add(socket);
            }
            KafkaClients.waitUntil("accept fails for want of descriptors", Duration.ofSeconds(60),
                    () -> !acceptFailures(samsa).isEmpty());
            String failure = acceptFailures(samsa).get(0);
            assertTrue(failure, failure.contains("WARN") && failure.contains("Too many open files")
                    && failure.contains("PLAINTEXT://127.0.0.1:" + samsa.kafkaPort));

            for (Socket socket : sockets) {
                socket.close();
            }
            sockets.clear();
            KafkaClients.waitUntil("the acceptor reports it recovered", Duration.ofSeconds(60),
                    () -> logLines(samsa).stream().anyMatch(l -> RECOVERED.matcher(l).find()));
            String recovered = logLines(samsa).stream().filter(l -> RECOVERED.matcher(l).find()).findFirst()
                    .orElseThrow();
            Matcher attempts = RECOVERED.matcher(recovered);
            assertTrue(attempts.find());
            // Backing off up to a second between attempts: a spinning acceptor would count millions.
            assertTrue(recovered, Long.parseLong(attempts.group(1)) < 1000);
            assertTrue("failure reports are rate-limited: " + acceptFailures(samsa),
                    acceptFailures(samsa).size() < 20);

            try (KafkaProducer<String, String> producer = KafkaClients.producer(samsa.bootstrap(), Map.of())) {
                producer.send(new ProducerRecord<>("fd-limit", "k", "after-exhaustion")).get();
            }
            try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(samsa.bootstrap(), "fd-limit-group",
                    Map.of())) {
                consumer.subscribe(List.of("fd-limit"));
                assertEquals("after-exhaustion,", KafkaClients.values(KafkaClients.pollAtLeast(consumer, 1,
                        Duration.ofSeconds(60))));
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static List<String> acceptFailures(SamsaProcess samsa) {
        return logLines(samsa).stream().filter(l -> l.contains("Accepting a connection on")).toList();
    }

    /** The broker logs to {@code <samsa.data.dir>/logs/samsa.log}, not to its standard output. */
    private static List<String> logLines(SamsaProcess samsa) {
        try {
            return Files.readAllLines(samsa.dataDir.resolve("logs/samsa.log"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int openFiles(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        }
    }
}
