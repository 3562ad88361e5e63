package io.samsa.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.Test;

/**
 * Checks the assembled runtime (target/samsa, filled before the test phase): every bundle a
 * feature names is in bundles/, bundles/ holds nothing no feature names, and the platform
 * feature starts logging before anything can log.
 */
public class FeatureFilesTest {
    private final Path samsa = Paths.get(System.getProperty("samsa.dir", "target/samsa"));

    private Map<String, List<FeatureBundleList.Entry>> features() throws IOException {
        Map<String, List<FeatureBundleList.Entry>> features = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(samsa.resolve("features"), "*.json")) {
            for (Path file : files) {
                features.put(file.getFileName().toString().replace(".json", ""), FeatureBundleList.read(file, samsa.resolve("bundles")));
            }
        }
        return features;
    }

    @Test
    public void everyFeatureOfTheDefaultRuntimeIsThere() throws IOException {
        assertEquals(Set.of("platform", "broker-core", "storage-filechannel", "storage-mmap", "coordination-zookeeper", "coordination-raft", "webconsole",
                "webconsole-kafka"), features().keySet());
    }

    @Test
    public void everyBundleIdHasItsJar() throws IOException {
        List<String> missing = new ArrayList<>();
        for (var feature : features().entrySet()) {
            for (FeatureBundleList.Entry entry : feature.getValue()) {
                if (!Files.isRegularFile(entry.jar())) {
                    missing.add(feature.getKey() + ": " + entry.id() + " -> " + entry.jar().getFileName());
                }
            }
        }
        assertTrue("feature bundles without a jar in bundles/ (version differs from the root pom?): " + missing, missing.isEmpty());
    }

    @Test
    public void bundlesFolderHoldsOnlyFeatureBundles() throws IOException {
        Set<String> named = new TreeSet<>();
        features().values().forEach(list -> list.forEach(e -> named.add(e.jar().getFileName().toString())));
        Set<String> present = new TreeSet<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(samsa.resolve("bundles"), "*.jar")) {
            jars.forEach(jar -> present.add(jar.getFileName().toString()));
        }
        present.removeAll(named);
        assertTrue("jars in bundles/ that no feature names: " + present, present.isEmpty());
    }

    @Test
    public void loggingStartsBeforeAnythingElse() throws IOException {
        for (FeatureBundleList.Entry entry : features().get("platform")) {
            String artifact = entry.id().split(":")[1];
            int expected = artifact.startsWith("asm") || artifact.contains("spifly") ? 1 : artifact.startsWith("slf4j") ? 2 : 3;
            if (expected < 3) {
                assertEquals(entry.id(), expected, entry.startLevel());
            } else {
                assertTrue(entry.id() + " starts at " + entry.startLevel(), entry.startLevel() >= 3);
            }
        }
    }

    @Test
    public void descriptorsMayHoldCommentsAndBadOnesNameFileAndPosition() throws IOException {
        Path dir = Files.createTempDirectory("features");
        try {
            Path good = dir.resolve("good.json");
            Files.writeString(good, "{ // a feature\n \"bundles\": [ /* logging first */ {\"id\": \"org.slf4j:slf4j-api:2.0.17\","
                    + " \"start-order\": 2} ] }");
            List<FeatureBundleList.Entry> entries = FeatureBundleList.read(good, dir);
            assertEquals(1, entries.size());
            assertEquals(dir.resolve("slf4j-api-2.0.17.jar"), entries.get(0).jar());
            assertEquals(2, entries.get(0).startLevel());
            Path bad = dir.resolve("bad.json");
            Files.writeString(bad, "{\"bundles\": [\n  {\"id\": \"a:b:1\"},\n]}");
            IOException e = assertThrows(IOException.class, () -> FeatureBundleList.read(bad, dir));
            assertTrue(e.getMessage(), e.getMessage().startsWith(bad + ": Invalid token=SQUARECLOSE at (line no=3, column no=1"));
        } finally {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    public void fileNameFollowsCopyDependencies() {
        assertEquals("slf4j-api-2.0.17.jar", FeatureBundleList.fileName("org.slf4j:slf4j-api:2.0.17"));
        assertEquals("api-0.1.0-SNAPSHOT.jar", FeatureBundleList.fileName("io.samsa:api:jar:0.1.0-SNAPSHOT"));
        assertEquals("epoll-4.2.9.Final-linux-x86_64.jar", FeatureBundleList.fileName("io.netty:epoll:jar:linux-x86_64:4.2.9.Final"));
    }
}
