package io.samsa.platform;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Properties;

import org.junit.Test;
import org.osgi.service.metatype.AttributeDefinition;

public class ServerPropertiesMappingTest {
    private static final Path WORK = Paths.get("/srv/broker1");
    private static final Path DATA = Paths.get("/srv/broker1/data");
    private static final String BROKER = "io.samsa.broker";
    private static final String GROUP = "io.samsa.group";
    private static final String PROTOCOL = "io.samsa.protocol.kafka";
    private static final String ZOOKEEPER = "io.samsa.coordination.zookeeper";

    /** A small metatype in the shape of Samsa's bundles'. */
    private static final ConfigKeyCatalogue CATALOGUE = ConfigKeyCatalogue.of(List.of(
            key("broker.id", BROKER, AttributeDefinition.INTEGER, "0"),
            key("log.dirs", BROKER, AttributeDefinition.STRING, "data/kafka-logs"),
            key("num.partitions", BROKER, AttributeDefinition.INTEGER, "1"),
            key("min.insync.replicas", BROKER, AttributeDefinition.INTEGER, "1"),
            key("delete.topic.enable", BROKER, AttributeDefinition.BOOLEAN, "true"),
            key("log.retention.ms", BROKER, AttributeDefinition.LONG, "-1"),
            key("log.retention.bytes", BROKER, AttributeDefinition.LONG, "-1"),
            key("message.max.bytes", BROKER, AttributeDefinition.INTEGER, "1048588"),
            key("offsets.topic.replication.factor", GROUP, AttributeDefinition.SHORT, "1"),
            key("offsets.retention.check.interval.ms", GROUP, AttributeDefinition.LONG, "600000"),
            key("listeners", PROTOCOL, AttributeDefinition.STRING, "PLAINTEXT://127.0.0.1:9092"),
            key("socket.request.max.bytes", PROTOCOL, AttributeDefinition.INTEGER, "104857600"),
            key("zookeeper.connect", ZOOKEEPER, AttributeDefinition.STRING, ""),
            key("zookeeper.embedded.dir", ZOOKEEPER, AttributeDefinition.STRING, "data/zookeeper"),
            key("service.ranking", "io.samsa.storage.mmap", AttributeDefinition.INTEGER, "0"),
            key("service.ranking", "io.samsa.storage.filechannel", AttributeDefinition.INTEGER, "0")));

    private static OwnedKey key(String key, String pid, int type, String defaultValue) {
        return new OwnedKey(key, pid, type, 0, defaultValue);
    }

    private static ServerPropertiesMapping.Result map(String text) throws IOException {
        return map(text, CATALOGUE);
    }

    private static ServerPropertiesMapping.Result map(String text, ConfigKeyCatalogue catalogue) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return ServerPropertiesMapping.map(properties, catalogue, WORK, DATA);
    }

    @Test
    public void keysGoToThePidWhoseMetatypeDeclaresThemAsTheDeclaredType() throws IOException {
        ServerPropertiesMapping.Result result = map("broker.id=53\n"
                + "listeners=PLAINTEXT://:9092\n"
                + "zookeeper.connect=h1:2181,h2:2181,h3:2181\n"
                + "num.partitions=3\n"
                + "min.insync.replicas=2\n"
                + "delete.topic.enable=TRUE\n"
                + "log.retention.ms=60000\n"
                + "offsets.topic.replication.factor=1\n"
                + "offsets.retention.check.interval.ms=1000\n"
                + "socket.request.max.bytes=2000000\n");
        assertTrue(result.errors().toString(), result.errors().isEmpty());
        assertEquals(53, result.pid(BROKER).get("broker.id"));
        assertEquals(3, result.pid(BROKER).get("num.partitions"));
        assertEquals(2, result.pid(BROKER).get("min.insync.replicas"));
        assertEquals(Boolean.TRUE, result.pid(BROKER).get("delete.topic.enable"));
        assertEquals(60000L, result.pid(BROKER).get("log.retention.ms"));
        assertEquals((short) 1, result.pid(GROUP).get("offsets.topic.replication.factor"));
        assertEquals(1000L, result.pid(GROUP).get("offsets.retention.check.interval.ms"));
        assertEquals(2000000, result.pid(PROTOCOL).get("socket.request.max.bytes"));
        assertEquals("PLAINTEXT://:9092", result.pid(PROTOCOL).get("listeners"));
        assertEquals("h1:2181,h2:2181,h3:2181", result.pid(ZOOKEEPER).get("zookeeper.connect"));
        assertFalse("broker keys stay out of the protocol PID", result.pid(PROTOCOL).containsKey("broker.id"));
        assertFalse("a key absent from server.properties keeps its metatype default", result.pid(BROKER).containsKey("message.max.bytes"));
    }

    @Test
    public void oneOwnerPerKeyAndConflictsAreNamed() throws IOException {
        ConfigKeyCatalogue conflicting = ConfigKeyCatalogue.of(List.of(
                key("listeners", BROKER, AttributeDefinition.STRING, ""),
                key("listeners", PROTOCOL, AttributeDefinition.STRING, ""),
                key("broker.id", BROKER, AttributeDefinition.INTEGER, "0")));
        assertEquals(List.of("listeners is declared by io.samsa.broker and io.samsa.protocol.kafka"), conflicting.conflicts());
        ServerPropertiesMapping.Result result = map("listeners=PLAINTEXT://127.0.0.1:9093\n", conflicting);
        assertEquals("PLAINTEXT://127.0.0.1:9093", result.pid(BROKER).get("listeners"));
        assertEquals("PLAINTEXT://127.0.0.1:9093", result.pid(PROTOCOL).get("listeners"));
        assertEquals(List.of(), CATALOGUE.conflicts());
    }

    @Test
    public void componentPropertiesAreNoServerPropertiesKeys() throws IOException {
        assertTrue(CATALOGUE.owners("service.ranking").isEmpty());
        assertEquals(List.of("service.ranking"), map("service.ranking=5\n").unknownKeys());
    }

    @Test
    public void directoriesDefaultIntoTheDataDirectory() throws IOException {
        ServerPropertiesMapping.Result result = map("");
        assertEquals("/srv/broker1/data/kafka-logs", result.pid(BROKER).get("log.dirs"));
        assertEquals("/srv/broker1/data/zookeeper", result.pid(ZOOKEEPER).get("zookeeper.embedded.dir"));
        assertEquals("/srv/other/d2/kafka-logs", ServerPropertiesMapping.map(new Properties(), CATALOGUE, WORK,
                Paths.get("/srv/other/d2")).pid(BROKER).get("log.dirs"));
    }

    @Test
    public void relativePathsResolveAgainstTheWorkingDirectory() throws IOException {
        ServerPropertiesMapping.Result result = map("log.dirs=logs-a, /abs/logs-b\nzookeeper.embedded.dir=zk\n");
        assertEquals("/srv/broker1/logs-a,/abs/logs-b", result.pid(BROKER).get("log.dirs"));
        assertEquals("/srv/broker1/zk", result.pid(ZOOKEEPER).get("zookeeper.embedded.dir"));
    }

    @Test
    public void pathKeysAreNamedByConvention() {
        assertTrue(ServerPropertiesMapping.isPathKey("log.dirs"));
        assertTrue(ServerPropertiesMapping.isPathKey("zookeeper.embedded.dir"));
        assertFalse(ServerPropertiesMapping.isPathKey("log.dirs.count"));
        assertFalse(ServerPropertiesMapping.isPathKey("directory"));
    }

    @Test
    public void logDirIsTheFallbackForLogDirs() throws IOException {
        assertEquals("/srv/broker1/single", map("log.dir=single\n").pid(BROKER).get("log.dirs"));
        assertEquals("/srv/broker1/many", map("log.dir=single\nlog.dirs=many\n").pid(BROKER).get("log.dirs"));
    }

    @Test
    public void unknownKeysAreReportedAndNotApplied() throws IOException {
        ServerPropertiesMapping.Result result = map("broker.id=1\nbrokerid=2\nlog.retension.hours=5\n");
        assertEquals(List.of("brokerid", "log.retension.hours"), result.unknownKeys());
        assertTrue(result.errors().isEmpty());
        assertEquals(1, result.pid(BROKER).get("broker.id"));
        assertFalse(result.pid(BROKER).containsKey("brokerid"));
    }

    @Test
    public void kafkaKeysNobodyOwnsAreUnsupportedAndLauncherKeysAreNotUnknown() throws IOException {
        ServerPropertiesMapping.Result result = map("num.recovery.threads.per.data.dir=3\nhttp.port=8081\nsamsa.data.dir=d2\n");
        assertEquals(List.of("num.recovery.threads.per.data.dir"), result.unsupportedKeys());
        assertTrue(result.unknownKeys().isEmpty());
        result.byPid().values().forEach(values -> assertFalse(values.containsKey("http.port")));
    }

    @Test
    public void badValuesAreErrorsNamingKeyAndValue() throws IOException {
        ServerPropertiesMapping.Result result = map("broker.id=abc\ndelete.topic.enable=yes\nlog.retention.bytes=1e9\nlog.dirs= , \n");
        assertEquals(result.errors().toString(), 4, result.errors().size());
        assertTrue(result.errors().toString(), result.errors().contains("broker.id=abc: not an integer (32 bit)"));
        assertTrue(result.errors().toString(), result.errors().contains("delete.topic.enable=yes: not a boolean (true or false)"));
        assertTrue(result.errors().toString(), result.errors().contains("log.retention.bytes=1e9: not an integer (64 bit)"));
        assertTrue(result.errors().toString(), result.errors().contains("log.dirs=,: no directory given"));
        assertFalse("a bad value is never applied", result.pid(BROKER).containsKey("broker.id"));
    }

    @Test
    public void integerOverflowIsAnError() throws IOException {
        assertEquals(List.of("message.max.bytes=3000000000: not an integer (32 bit)"), map("message.max.bytes=3000000000\n").errors());
        assertEquals(List.of("offsets.topic.replication.factor=40000: not an integer (16 bit)"),
                map("offsets.topic.replication.factor=40000\n").errors());
    }

    @Test
    public void listAttributesTakeCommaSeparatedValues() {
        OwnedKey array = new OwnedKey("some.ids", "p", AttributeDefinition.INTEGER, 10, null);
        assertArrayEquals(new Integer[] {1, 2, 3}, (Integer[]) ServerPropertiesMapping.convert(array, "1, 2,3", WORK));
        OwnedKey list = new OwnedKey("some.names", "p", AttributeDefinition.STRING, -10, null);
        assertEquals(List.of("a", "b"), ServerPropertiesMapping.convert(list, "a,b", WORK));
    }

    @Test
    public void valuesAreTrimmedAndEmptyStringsKept() throws IOException {
        ServerPropertiesMapping.Result result = map("broker.id = 7  \nzookeeper.connect=\n");
        assertEquals(7, result.pid(BROKER).get("broker.id"));
        assertEquals("", result.pid(ZOOKEEPER).get("zookeeper.connect"));
    }
}
