package io.samsa.platform;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.Test;
import org.osgi.service.metatype.AttributeDefinition;

/** The precedence ServerProperties applies: server.properties < console changes < dynamic values. */
public class ConfigLayersTest {
    private static final Path WORK = Paths.get("/srv/broker1");
    private static final Path DATA = Paths.get("/srv/broker1/data");
    private static final String BROKER = "io.samsa.broker";
    private static final String STORAGE = "io.samsa.broker.storage";
    private static final ConfigKeyCatalogue CATALOGUE = ConfigKeyCatalogue.of(List.of(
            new OwnedKey("broker.id", BROKER, AttributeDefinition.INTEGER, 0, "0"),
            new OwnedKey("log.dirs", BROKER, AttributeDefinition.STRING, 0, "data/kafka-logs"),
            new OwnedKey("log.retention.ms", BROKER, AttributeDefinition.LONG, 0, "-1"),
            new OwnedKey("log.segment.bytes", BROKER, AttributeDefinition.INTEGER, 0, "1073741824"),
            new OwnedKey("storage.target", STORAGE, AttributeDefinition.STRING, 0, "(storage.engine=*)")));

    private static Properties properties(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }

    private static Map<String, Map<String, Object>> map(Properties properties) {
        return ServerPropertiesMapping.map(properties, CATALOGUE, WORK, DATA).byPid();
    }

    private static Map<String, Map<String, Object>> copy(Map<String, Map<String, Object>> byPid) {
        Map<String, Map<String, Object>> copy = new HashMap<>();
        byPid.forEach((pid, values) -> copy.put(pid, new LinkedHashMap<>(values)));
        return copy;
    }

    @Test
    public void consoleChangesWinOverServerPropertiesAndDynamicValuesWinOverBoth() throws IOException {
        Map<String, Map<String, Object>> merged = copy(map(properties("broker.id=3\nlog.retention.ms=60000\n")));
        Properties console = properties("log.retention.ms=3600000\nlog.segment.bytes=2000000\nstorage.target=(storage.engine=mmap)\n");
        Properties dynamic = properties("log.segment.bytes=1048576\n");

        Map<String, Set<String>> consoleOnly = ServerProperties.layer(merged, map(console), console.stringPropertyNames());
        Map<String, Set<String>> dynamicOnly = ServerProperties.layer(merged, map(dynamic), dynamic.stringPropertyNames());

        assertEquals(3, merged.get(BROKER).get("broker.id"));
        assertEquals("the console over server.properties", 3600000L, merged.get(BROKER).get("log.retention.ms"));
        assertEquals("kafka-configs over the console", 1048576, merged.get(BROKER).get("log.segment.bytes"));
        assertEquals("(storage.engine=mmap)", merged.get(STORAGE).get("storage.target"));
        assertEquals("server.properties' own log.dirs default stays", "/srv/broker1/data/kafka-logs",
                merged.get(BROKER).get("log.dirs"));
        assertEquals("keys server.properties lacks, to remove when dropped",
                Map.of(BROKER, Set.of("log.segment.bytes"), STORAGE, Set.of("storage.target")), consoleOnly);
        assertEquals("already added by the console layer", Map.of(), dynamicOnly);
    }

    @Test
    public void aPathDefaultOfTheMappingIsNoConsoleChange() throws IOException {
        Map<String, Map<String, Object>> merged = copy(map(properties("log.dirs=/disks/a\n")));
        Properties console = properties("log.retention.ms=1\n");
        ServerProperties.layer(merged, map(console), console.stringPropertyNames());
        assertEquals("/disks/a", merged.get(BROKER).get("log.dirs"));
    }

    @Test
    public void anInvalidRecordedValueIsReportedByKeyAndTheOthersStillApply() throws IOException {
        Properties console = properties("log.retention.ms=soon\nstorage.target=(storage.engine=mmap)\n");
        ServerPropertiesMapping.Result result = ServerPropertiesMapping.map(console, CATALOGUE, WORK, DATA);
        assertEquals(1, result.errors().size());
        assertTrue(result.errors().get(0), result.errors().get(0).startsWith("log.retention.ms=soon: not an integer"));
        Map<String, Map<String, Object>> merged = copy(map(properties("log.retention.ms=60000\n")));
        ServerProperties.layer(merged, result.byPid(), console.stringPropertyNames());
        assertEquals("server.properties' value stays", 60000L, merged.get(BROKER).get("log.retention.ms"));
        assertEquals("(storage.engine=mmap)", merged.get(STORAGE).get("storage.target"));
    }
}
