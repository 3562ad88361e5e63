package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.Test;

/**
 * Settings an operator changes in the web console's Configuration page or with a Gogo command
 * are still in force after the broker restarts (the launcher rebuilds the OSGi cache, and with it
 * Config Admin's store, at every start), until the operator sets them back or deletes their
 * configuration.
 */
public class ConsoleConfigPersistenceIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CHANGES_FILE = "console-config.properties";
    /** Both storage engines deployed, so that choosing one is visible: mmap is the better-ranked. */
    private static final Map<String, String> SERVER_PROPERTIES = Map.of("log.retention.ms", "600000",
            "samsa.features", "platform,broker-core,storage-filechannel,storage-mmap,coordination-zookeeper,webconsole");

    @Test
    public void consoleAndGogoChangesSurviveARestartUntilDroppedAgain() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-console-config");
        Path changes = data.resolve(CHANGES_FILE);

        try (SamsaProcess samsa = new SamsaProcess(data, SERVER_PROPERTIES).start(true)) {
            WebConsoleClient console = console(samsa);
            assertEquals("server.properties' value", "600000", brokerValue(samsa, "log.retention.ms"));
            awaitStorageInUse(samsa, "mmap");

            assertEquals("the console accepts the retention", 302, console.postForm("/system/console/configMgr/io.samsa.broker",
                    console.ownOrigin(), "apply=true&propertylist=log.retention.ms&log.retention.ms=3600000"));
            await(data, "the console's retention in force",
                    () -> "3600000".equals(brokerValue(samsa, "log.retention.ms")));
            assertEquals("the broker keeps its own id and listener", "0", brokerValue(samsa, "broker.id"));

            samsa.shell("samsa:storage filechannel");
            awaitLog(data, "Storage engine now filechannel (was mmap)", 1);
            await(data, "both changes recorded in " + changes,
                    () -> recorded(changes).size() == 2);
            assertEquals(Map.of("log.retention.ms", "3600000", "storage.target", "(storage.engine=filechannel)"),
                    recorded(changes));
            assertEquals(0, samsa.stop());
        }

        try (SamsaProcess samsa = new SamsaProcess(data, SERVER_PROPERTIES).start(true)) {
            assertEquals("the console's retention after the restart", "3600000", brokerValue(samsa, "log.retention.ms"));
            awaitStorageInUse(samsa, "filechannel");
            // logged once every start feature is installed, which may be after the broker is ready
            awaitLog(data, "Kept from earlier changes in the web console or Gogo", 1);
            List<String> kept = logLines(data, "Kept from earlier changes in the web console or Gogo");
            assertEquals(kept.toString(), 1, kept.size());
            assertTrue("the line names the kept keys, the file and how to drop them: " + kept,
                    kept.get(0).contains("log.retention.ms=3600000") && kept.get(0).contains("storage.target=(storage.engine=filechannel)")
                            && kept.get(0).contains(changes.toString()) && kept.get(0).contains("delete its configuration"));

            WebConsoleClient console = console(samsa);
            assertEquals("the console deletes the storage selection", 200, console.postForm(
                    "/system/console/configMgr/io.samsa.broker.storage", console.ownOrigin(), "apply=true&delete=true"));
            awaitLog(data, "Storage engine now mmap (was filechannel)", 1);
            assertEquals("back to server.properties' value", 302, console.postForm("/system/console/configMgr/io.samsa.broker",
                    console.ownOrigin(), "apply=true&propertylist=log.retention.ms&log.retention.ms=600000"));
            await(data, "server.properties' retention in force",
                    () -> "600000".equals(brokerValue(samsa, "log.retention.ms")));
            await(data, "no change left in " + changes, () -> recorded(changes).isEmpty());
            assertEquals(0, samsa.stop());
        }

        try (SamsaProcess samsa = new SamsaProcess(data, SERVER_PROPERTIES).start(true)) {
            assertEquals("server.properties' retention after the restart", "600000", brokerValue(samsa, "log.retention.ms"));
            awaitStorageInUse(samsa, "mmap");
            awaitLog(data, "Configuration from ", 1);
            assertEquals("nothing kept, nothing reported", List.of(),
                    logLines(data, "Kept from earlier changes in the web console or Gogo"));
        }
    }

    /**
     * kafka-configs' values are the cluster's word on a broker and rank above a console change to
     * the same key: the console's value takes effect once the dynamic one is deleted.
     */
    @Test
    public void aDynamicValueWinsOverAConsoleChangeUntilDeleted() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-console-config-dynamic");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of()).start()) {
            alterBroker(samsa, new AlterConfigOp(new ConfigEntry("log.segment.bytes", "1048576"), AlterConfigOp.OpType.SET));
            await(data, "the dynamic segment size in force", () -> "1048576".equals(brokerValue(samsa, "log.segment.bytes")));

            WebConsoleClient console = console(samsa);
            assertEquals(302, console.postForm("/system/console/configMgr/io.samsa.broker", console.ownOrigin(),
                    "apply=true&propertylist=log.segment.bytes&log.segment.bytes=2000000"));
            awaitLog(data, "log.segment.bytes changed in io.samsa.broker is overridden by the dynamic broker configuration", 1);
            assertEquals("the dynamic value stays in force", "1048576", brokerValue(samsa, "log.segment.bytes"));
            assertEquals("the console's change is kept", Map.of("log.segment.bytes", "2000000"), recorded(data.resolve(CHANGES_FILE)));

            alterBroker(samsa, new AlterConfigOp(new ConfigEntry("log.segment.bytes", ""), AlterConfigOp.OpType.DELETE));
            await(data, "the console's segment size once the dynamic one is deleted",
                    () -> "2000000".equals(brokerValue(samsa, "log.segment.bytes")));
        }
    }

    private static void alterBroker(SamsaProcess samsa, AlterConfigOp op) throws Exception {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
        try (Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            admin.incrementalAlterConfigs(Map.of(broker, List.of(op))).all().get();
        }
    }

    @Test
    public void aCorruptChangesFileStopsTheBrokerNamingIt() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-console-config-corrupt");
        Files.createDirectories(data);
        Path changes = data.resolve(CHANGES_FILE);
        Files.writeString(changes, "log.retention.ms=\\u12G4\n");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of())) {
            try {
                samsa.start();
                fail("the broker started over a corrupt " + changes);
            } catch (AssertionError e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("Samsa exited with 2 before it was ready"));
                assertTrue(e.getMessage(), e.getMessage().contains("cannot read the configuration changes made in the web "
                        + "console or Gogo from " + changes));
            }
        }
        assertEquals("the file is left for the operator to repair", "log.retention.ms=\\u12G4\n", Files.readString(changes));
    }

    @Test
    public void anInvalidRecordedValueIsSkippedNamingKeyAndFile() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-console-config-invalid");
        Files.createDirectories(data);
        Path changes = data.resolve(CHANGES_FILE);
        Files.writeString(changes, "log.retention.ms=soon\nlog.segment.bytes=2000000\n");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of("log.retention.ms", "600000")).start()) {
            assertEquals("server.properties' value stays", "600000", brokerValue(samsa, "log.retention.ms"));
            assertEquals("the valid change applies", "2000000", brokerValue(samsa, "log.segment.bytes"));
            assertTrue(String.join("\n", logLines(data, "ERROR")), logLines(data, "ERROR").stream().anyMatch(l ->
                    l.contains(changes.toString()) && l.contains("log.retention.ms=soon")));
        }
        assertEquals("nothing recorded is lost", Map.of("log.retention.ms", "soon", "log.segment.bytes", "2000000"),
                recorded(changes));
    }

    private static WebConsoleClient console(SamsaProcess samsa) throws Exception {
        String password = Files.readString(samsa.dataDir.resolve("webconsole.password")).trim();
        WebConsoleClient console = new WebConsoleClient(samsa.httpPort, "admin", password);
        KafkaClients.waitUntil("the web console's Configuration page", TIMEOUT, () -> {
            try {
                return console.get("/system/console/configMgr") != null;
            } catch (RuntimeException e) {
                return false;
            }
        });
        return console;
    }

    private static void awaitStorageInUse(SamsaProcess samsa, String engine) throws Exception {
        KafkaClients.waitUntil("samsa:storage to report " + engine + " in use", TIMEOUT, () -> {
            try {
                samsa.shell("samsa:storage");
            } catch (IOException e) {
                return false;
            }
            List<String> reports = samsa.outputLines().stream().filter(l -> l.contains("in use: ")).toList();
            return !reports.isEmpty() && reports.get(reports.size() - 1).contains("in use: " + engine);
        });
    }

    private static String brokerValue(SamsaProcess samsa, String key) {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
        try (Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            ConfigEntry entry = config.get(key);
            return entry == null ? null : entry.value();
        } catch (Exception e) {
            return "unavailable: " + e;
        }
    }

    private static Map<String, String> recorded(Path file) {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            return Map.of();
        }
        Map<String, String> values = new java.util.TreeMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k)));
        return values;
    }

    private static void awaitLog(Path data, String text, int times) throws InterruptedException {
        await(data, times + " log line(s) '" + text + "'", () -> logLines(data, text).size() >= times);
    }

    /** Waits for the condition; a timeout shows the broker's log lines on configuration and storage. */
    private static void await(Path data, String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        try {
            KafkaClients.waitUntil(what, TIMEOUT, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the log's configuration and storage lines:\n"
                    + String.join("\n", logLines(data, "onfiguration", "torage", "ERROR", "WARN")), e);
        }
    }

    private static List<String> logLines(Path data, String... anyOf) {
        try (var lines = Files.lines(data.resolve("logs/samsa.log"))) {
            return lines.filter(l -> java.util.Arrays.stream(anyOf).anyMatch(l::contains)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

}
