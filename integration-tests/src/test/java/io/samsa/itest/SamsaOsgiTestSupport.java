package io.samsa.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ops4j.pax.exam.Option;

/**
 * The Felix container every Pax Exam test boots: the platform services the runtime's
 * {@code platform} feature holds, then Samsa's real bundles at a later start level so that
 * their configuration is in Config Admin before their components activate.
 */
public final class SamsaOsgiTestSupport {

    /** Samsa bundles start after Config Admin has the test configuration. */
    static final int SAMSA_START_LEVEL = 20;

    private SamsaOsgiTestSupport() {
    }

    static String reactorBundle(String artifactId) {
        String path = System.getProperty("bundle." + artifactId);
        if (path == null || !new File(path).isFile()) {
            throw new IllegalStateException("Bundle " + artifactId + " not built: system property bundle." + artifactId
                    + " is " + path + "; run the tests through Maven (mvn verify)");
        }
        return "file:" + path;
    }

    /** A free TCP port on 127.0.0.1, chosen in the test driver before the container starts
     * (test-support is not deployed in the container). */
    public static int freePort() {
        return io.samsa.testsupport.LoopbackPorts.free();
    }

    /** A fresh directory, deleted with everything in it when the test JVM exits. */
    static Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir), "delete " + dir));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp dir left behind is harmless
        }
    }

    /** The platform: SCR, Config Admin, Metatype, log, SPI Fly + ASM, SLF4J and jakarta.json. */
    static Option platform() {
        return composite(
                frameworkProperty("felix.bootdelegation.implicit").value("false"),
                frameworkStartLevel(SAMSA_START_LEVEL + 10),
                systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("info"),
                systemProperty("org.slf4j.simpleLogger.showDateTime").value("true"),
                mavenBundle("org.ow2.asm", "asm").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-commons").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-util").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-tree").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-analysis").versionAsInProject().startLevel(1),
                mavenBundle("org.apache.aries.spifly", "org.apache.aries.spifly.dynamic.bundle").versionAsInProject().startLevel(1),
                mavenBundle("org.slf4j", "slf4j-api").versionAsInProject().startLevel(1),
                mavenBundle("org.slf4j", "slf4j-simple").versionAsInProject().startLevel(1),
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject().startLevel(1),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject().startLevel(1),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject().startLevel(1),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject().startLevel(1),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject().startLevel(1),
                mavenBundle("org.apache.felix", "org.apache.felix.metatype").versionAsInProject().startLevel(1),
                mavenBundle("org.apache.felix", "org.apache.felix.log").versionAsInProject().startLevel(1),
                // the znode documents' JSON; SPI Fly (above) hands Parsson to jakarta.json's provider lookup
                mavenBundle("jakarta.json", "jakarta.json-api").versionAsInProject().startLevel(1),
                mavenBundle("org.eclipse.parsson", "parsson").versionAsInProject().startLevel(1),
                junitBundles());
    }

    /** Samsa's broker: the codec, the compression libraries and every broker bundle. */
    static Option broker() {
        return composite(
                mavenBundle("com.github.luben", "zstd-jni").versionAsInProject().startLevel(SAMSA_START_LEVEL),
                mavenBundle("at.yawk.lz4", "lz4-java").versionAsInProject().startLevel(SAMSA_START_LEVEL),
                mavenBundle("org.xerial.snappy", "snappy-java").versionAsInProject().startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("kafka-clients-osgi")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("zookeeper-osgi")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("curator-osgi")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("api")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("storage-filechannel")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("coordination-zookeeper")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("cluster-metadata")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("broker")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("group-coordinator")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("replication")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("controller")).startLevel(SAMSA_START_LEVEL),
                bundle(reactorBundle("protocol-kafka")).startLevel(SAMSA_START_LEVEL));
    }

    /**
     * Configuration of a single broker with an embedded ZooKeeper, all on free loopback ports
     * and fresh directories.
     */
    static Option brokerConfig(int kafkaPort, int zkPort, Path dataDir) {
        return brokerConfig(kafkaPort, kafkaPort, zkPort, dataDir);
    }

    /** As above, advertising {@code advertisedPort} (a proxy in front of the broker) to clients. */
    static Option brokerConfig(int kafkaPort, int advertisedPort, int zkPort, Path dataDir) {
        String listeners = "PLAINTEXT://127.0.0.1:" + kafkaPort;
        return composite(
                mavenBundle("org.ops4j.pax.exam", "pax-exam-cm").versionAsInProject().startLevel(2),
                newConfiguration("io.samsa.coordination.zookeeper")
                        .put("zookeeper.connect", "").asOption(),
                newConfiguration("io.samsa.coordination.zookeeper.embedded")
                        .put("zookeeper.connect", "")
                        .put("zookeeper.embedded.port", zkPort)
                        .put("zookeeper.embedded.dir", dataDir.resolve("zookeeper").toString()).asOption(),
                newConfiguration("io.samsa.broker")
                        .put("broker.id", 0)
                        .put("log.dirs", dataDir.resolve("kafka-logs").toString()).asOption(),
                newConfiguration("io.samsa.group")
                        .put("offsets.topic.num.partitions", 5)
                        .put("group.initial.rebalance.delay.ms", 0).asOption(),
                newConfiguration("io.samsa.protocol.kafka.listeners")
                        .put("listeners", listeners)
                        .put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + advertisedPort).asOption());
    }
}
