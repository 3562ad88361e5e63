package io.samsa.platform;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ConsoleConfigChangesTest {
    private static final List<String> BROKER_KEYS = List.of("broker.id", "log.retention.ms", "num.partitions");
    /** What the platform wrote from server.properties: broker.id=3, log.retention.ms=60000. */
    private static final Map<String, String> WRITTEN = Map.of("broker.id", "3", "log.retention.ms", "60000");
    private static final Map<String, String> UNCHANGED = Map.of("broker.id", "3", "log.retention.ms", "60000",
            "num.partitions", "1");

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private ConsoleConfigChanges fresh() throws IOException {
        return ConsoleConfigChanges.read(folder.getRoot().toPath().resolve(ConsoleConfigChanges.FILE_NAME));
    }

    @Test
    public void thePlatformsOwnWritesAreNoChange() throws IOException {
        ConsoleConfigChanges changes = fresh();
        ConsoleConfigChanges.Observation observed = changes.observe(WRITTEN, WRITTEN, UNCHANGED, BROKER_KEYS);
        assertFalse(observed.recordChanged());
        assertFalse(observed.removedOurs());
        assertTrue(changes.isEmpty());
    }

    @Test
    public void aValueOtherThanTheWrittenOneIsRecordedAndSurvivesAReread() throws IOException {
        ConsoleConfigChanges changes = fresh();
        // the console's form submits every field: num.partitions at its default is no change
        ConsoleConfigChanges.Observation observed = changes.observe(
                Map.of("broker.id", "3", "log.retention.ms", "3600000", "num.partitions", "1"), WRITTEN, UNCHANGED, BROKER_KEYS);
        assertEquals(Set.of("log.retention.ms"), observed.recorded());
        changes.write();

        ConsoleConfigChanges again = fresh();
        assertEquals(Map.of("log.retention.ms", "3600000"), Map.copyOf(again.values()));
        assertFalse("no temporary file left", Files.exists(again.file().resolveSibling(ConsoleConfigChanges.FILE_NAME + ".tmp")));
    }

    @Test
    public void aKeySetBackToItsServerPropertiesValueDropsItsRecord() throws IOException {
        ConsoleConfigChanges changes = fresh();
        changes.observe(Map.of("broker.id", "3", "log.retention.ms", "3600000"), WRITTEN, UNCHANGED, BROKER_KEYS);
        Map<String, String> writtenWithChange = Map.of("broker.id", "3", "log.retention.ms", "3600000");
        ConsoleConfigChanges.Observation observed = changes.observe(WRITTEN, writtenWithChange, UNCHANGED, BROKER_KEYS);
        assertEquals(Set.of("log.retention.ms"), observed.dropped());
        assertTrue(changes.isEmpty());
    }

    @Test
    public void aKeySetToItsDefaultOverAServerPropertiesValueIsAChange() throws IOException {
        ConsoleConfigChanges changes = fresh();
        ConsoleConfigChanges.Observation observed = changes.observe(Map.of("broker.id", "3", "log.retention.ms", "-1"),
                WRITTEN, UNCHANGED, BROKER_KEYS);
        assertEquals(Set.of("log.retention.ms"), observed.recorded());
        assertEquals("-1", changes.values().getProperty("log.retention.ms"));
    }

    @Test
    public void aRemovedKeyDropsItsRecordAndAsksForServerPropertiesAgain() throws IOException {
        ConsoleConfigChanges changes = fresh();
        changes.observe(Map.of("broker.id", "3", "log.retention.ms", "3600000"), WRITTEN, UNCHANGED, BROKER_KEYS);
        ConsoleConfigChanges.Observation observed = changes.observe(Map.of("broker.id", "3"),
                Map.of("broker.id", "3", "log.retention.ms", "3600000"), UNCHANGED, BROKER_KEYS);
        assertEquals(Set.of("log.retention.ms"), observed.dropped());
        assertTrue("the platform's value was removed", observed.removedOurs());
    }

    @Test
    public void keysOfOtherConfigurationsStayWhenOneIsDeleted() throws IOException {
        ConsoleConfigChanges changes = fresh();
        changes.observe(Map.of("broker.id", "3", "log.retention.ms", "3600000"), WRITTEN, UNCHANGED, BROKER_KEYS);
        changes.observe(Map.of("storage.target", "(storage.engine=mmap)"), Map.of(), Map.of("storage.target", "(storage.engine=*)"),
                List.of("storage.target"));
        assertEquals(Set.of("storage.target"), changes.drop(List.of("storage.target")));
        assertEquals(Map.of("log.retention.ms", "3600000"), Map.copyOf(changes.values()));
        assertEquals(Set.of(), changes.drop(List.of("storage.target")));
    }

    @Test
    public void writeReplacesTheFileWhole() throws IOException {
        ConsoleConfigChanges changes = fresh();
        changes.observe(Map.of("storage.target", "(storage.engine=mmap)"), Map.of(), Map.of(), List.of("storage.target"));
        changes.write();
        changes.drop(List.of("storage.target"));
        changes.write();
        assertTrue(fresh().isEmpty());
        String text = Files.readString(changes.file());
        assertTrue("says what the file is: " + text, text.contains("web console or Gogo"));
    }

    @Test
    public void aCorruptFileIsRefusedNamingIt() throws IOException {
        Path file = folder.getRoot().toPath().resolve(ConsoleConfigChanges.FILE_NAME);
        Files.write(file, "log.retention.ms=\\u12G4\n".getBytes(StandardCharsets.UTF_8));
        try {
            ConsoleConfigChanges.read(file);
            fail("a malformed escape was read");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(file.toString()) && e.getMessage().contains("move it away"));
        }
        assertEquals("the file is left as it was", "log.retention.ms=\\u12G4\n", Files.readString(file));
    }

    @Test
    public void anUnreadableFileIsRefusedNamingIt() throws IOException {
        Path file = folder.newFolder(ConsoleConfigChanges.FILE_NAME).toPath();
        try {
            ConsoleConfigChanges.read(file);
            fail("a directory was read as the file");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(file.toString()));
        }
    }

    @Test
    public void noFileIsNoChanges() throws IOException {
        assertTrue(fresh().isEmpty());
    }

    @Test
    public void valuesAreWrittenAsServerPropertiesWritesThem() {
        assertEquals("a,b", ConsoleConfigChanges.text(new String[] {"a", "b"}));
        assertEquals("1,2", ConsoleConfigChanges.text(List.of(1, 2)));
        assertEquals("3600000", ConsoleConfigChanges.text(3600000L));
        assertEquals("true", ConsoleConfigChanges.text(Boolean.TRUE));
        assertEquals(null, ConsoleConfigChanges.text(null));
    }
}
