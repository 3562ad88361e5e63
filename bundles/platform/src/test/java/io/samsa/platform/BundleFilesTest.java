package io.samsa.platform;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.Test;
import org.osgi.service.feature.ID;

public class BundleFilesTest {
    private static ID id(String groupId, String artifactId, String version, String type, String classifier) {
        return new ID() {
            @Override public String getGroupId() { return groupId; }
            @Override public String getArtifactId() { return artifactId; }
            @Override public String getVersion() { return version; }
            @Override public Optional<String> getType() { return Optional.ofNullable(type); }
            @Override public Optional<String> getClassifier() { return Optional.ofNullable(classifier); }
            @Override public String toString() { return groupId + ":" + artifactId + ":" + version; }
        };
    }

    @Test
    public void mavenIdMapsToArtifactDashVersionJar() {
        BundleFiles files = new BundleFiles(Path.of("/opt/samsa/bundles"));
        assertEquals(Path.of("/opt/samsa/bundles/org.apache.felix.scr-2.2.18.jar"),
                files.pathOf(id("org.apache.felix", "org.apache.felix.scr", "2.2.18", null, null)));
        assertEquals(Path.of("/opt/samsa/bundles/api-0.1.0-SNAPSHOT.jar"),
                files.pathOf(id("io.samsa", "api", "0.1.0-SNAPSHOT", "jar", null)));
        assertEquals(Path.of("/opt/samsa/bundles/netty-transport-native-epoll-4.2.9.Final-linux-x86_64.jar"),
                files.pathOf(id("io.netty", "netty-transport-native-epoll", "4.2.9.Final", "jar", "linux-x86_64")));
    }

    @Test
    public void relativeDirectoryBecomesAbsolute() {
        assertTrue(new BundleFiles(Path.of("bundles")).pathOf(id("g", "a", "1", null, null)).isAbsolute());
    }

    @Test
    public void nonJarTypeIsRejected() {
        try {
            new BundleFiles(Path.of("/b")).pathOf(id("g", "a", "1", "pom", null));
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("type 'pom'"));
        }
    }

    @Test
    public void missingJarIsNamed() throws IOException {
        Path dir = Files.createTempDirectory("bundles");
        try {
            Files.createFile(dir.resolve("present-1.0.jar"));
            BundleFiles files = new BundleFiles(dir);
            assertEquals(dir.resolve("present-1.0.jar"), files.existingPathOf(id("g", "present", "1.0", null, null)));
            try {
                files.existingPathOf(id("g", "absent", "2.0", null, null));
                fail();
            } catch (FileNotFoundException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("g:absent:2.0") && e.getMessage().contains("absent-2.0.jar"));
            }
        } finally {
            Files.deleteIfExists(dir.resolve("present-1.0.jar"));
            Files.delete(dir);
        }
    }

    @Test
    public void locationIsAFileUri() {
        assertEquals("file:///opt/samsa/bundles/a-1.jar", BundleFiles.locationOf(Path.of("/opt/samsa/bundles/../bundles/a-1.jar")));
    }
}
