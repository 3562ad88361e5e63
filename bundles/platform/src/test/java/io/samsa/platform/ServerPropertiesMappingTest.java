package io.samsa.platform;

import static io.samsa.platform.ServerPropertiesMapping.BROKER;
import static io.samsa.platform.ServerPropertiesMapping.GROUP;
import static io.samsa.platform.ServerPropertiesMapping.PROTOCOL;
import static io.samsa.platform.ServerPropertiesMapping.ZOOKEEPER;
import static io.samsa.platform.ServerPropertiesMapping.ZOOKEEPER_EMBEDDED;
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

public class ServerPropertiesMappingTest {
    private static final Path WORK = Paths.get("/srv/broker1");
    private static final Path DATA = Paths.get("/srv/broker1/data");

    private static ServerPropertiesMapping.Result map(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return ServerPropertiesMapping.map(properties, WORK, DATA);
    }

    @Test
    public void seedKeysGoToTheirPids() throws IOException {
        ServerPropertiesMapping.Result result = map("broker.id=53\n"
                + "listeners=PLAINTEXT://:9092\n"
                + "advertised.listeners=PLAINTEXT://host1:9092\n"
                + "zookeeper.connect=h1:2181,h2:2181,h3:2181\n"
                + "num.partitions=3\n"
                + "delete.topic.enable=TRUE\n"
                + "log.retention.ms=60000\n"
                + "offsets.topic.replication.factor=1\n"
                + "socket.request.max.bytes=2000000\n");
        assertTrue(result.errors().isEmpty());
        assertEquals(53, result.pid(BROKER).get("broker.id"));
        assertEquals(3, result.pid(BROKER).get("num.partitions"));
        assertEquals(Boolean.TRUE, result.pid(BROKER).get("delete.topic.enable"));
        assertEquals(60000L, result.pid(BROKER).get("log.retention.ms"));
        assertEquals("PLAINTEXT://host1:9092", result.pid(PROTOCOL).get("advertised.listeners"));
        assertEquals(1, result.pid(GROUP).get("offsets.topic.replication.factor"));
        assertEquals(2000000, result.pid(PROTOCOL).get("socket.request.max.bytes"));
        assertEquals("h1:2181,h2:2181,h3:2181", result.pid(ZOOKEEPER).get("zookeeper.connect"));
        assertFalse("broker keys stay out of the protocol PID", result.pid(PROTOCOL).containsKey("broker.id"));
    }

    @Test
    public void listenersBelongToTheProtocolFrontEnd() throws IOException {
        ServerPropertiesMapping.Result result = map("listeners=PLAINTEXT://127.0.0.1:9093\n");
        assertFalse(result.pid(BROKER).containsKey("listeners"));
        assertEquals("PLAINTEXT://127.0.0.1:9093", result.pid(PROTOCOL).get("listeners"));
        assertEquals(List.of(PROTOCOL), ServerPropertiesMapping.pidsOf("listeners"));
        assertEquals(List.of(PROTOCOL), ServerPropertiesMapping.pidsOf("advertised.listeners"));
        assertEquals(List.of(), ServerPropertiesMapping.pidsOf("no.such.key"));
    }

    @Test
    public void directoriesDefaultIntoTheDataDirectory() throws IOException {
        ServerPropertiesMapping.Result result = map("");
        assertEquals("/srv/broker1/data/kafka-logs", result.pid(BROKER).get("log.dirs"));
        assertEquals("/srv/broker1/data/zookeeper", result.pid(ZOOKEEPER_EMBEDDED).get("zookeeper.embedded.dir"));
    }

    @Test
    public void relativePathsResolveAgainstTheWorkingDirectory() throws IOException {
        ServerPropertiesMapping.Result result = map("log.dirs=logs-a, /abs/logs-b\nzookeeper.embedded.dir=zk\n");
        assertEquals("/srv/broker1/logs-a,/abs/logs-b", result.pid(BROKER).get("log.dirs"));
        assertEquals("/srv/broker1/zk", result.pid(ZOOKEEPER_EMBEDDED).get("zookeeper.embedded.dir"));
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
    public void kafkaKeysWithoutEffectAndLauncherKeysAreNotUnknown() throws IOException {
        ServerPropertiesMapping.Result result = map("num.network.threads=3\nhttp.port=8081\nsamsa.data.dir=d2\n");
        assertEquals(List.of("num.network.threads"), result.keysWithoutEffect());
        assertTrue(result.unknownKeys().isEmpty());
        result.byPid().values().forEach(values -> assertFalse(values.containsKey("http.port")));
    }

    @Test
    public void badValuesAreErrorsNamingKeyAndValue() throws IOException {
        ServerPropertiesMapping.Result result = map("broker.id=abc\ndelete.topic.enable=yes\nlog.retention.bytes=1e9\nlog.dirs= , \n");
        assertEquals(4, result.errors().size());
        assertTrue(result.errors().toString(), result.errors().contains("broker.id=abc: not an integer (32 bit)"));
        assertTrue(result.errors().toString(), result.errors().contains("delete.topic.enable=yes: not a boolean (true or false)"));
        assertTrue(result.errors().toString(), result.errors().contains("log.retention.bytes=1e9: not an integer (64 bit)"));
        assertTrue(result.errors().toString(), result.errors().get(0).startsWith("broker.id"));
        assertFalse("a bad value is never applied", result.pid(BROKER).containsKey("broker.id"));
    }

    @Test
    public void integerOverflowIsAnError() throws IOException {
        assertEquals(List.of("message.max.bytes=3000000000: not an integer (32 bit)"), map("message.max.bytes=3000000000\n").errors());
    }

    @Test
    public void valuesAreTrimmedAndEmptyStringsKept() throws IOException {
        ServerPropertiesMapping.Result result = map("broker.id = 7  \nzookeeper.connect=\n");
        assertEquals(7, result.pid(BROKER).get("broker.id"));
        assertEquals("", result.pid(ZOOKEEPER).get("zookeeper.connect"));
    }
}
