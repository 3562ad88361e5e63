package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.fetch;
import static io.samsa.broker.BrokerFixture.values;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.testsupport.Poll;

/** Kafka's replication-offset-checkpoint file, and the high watermark a partition starts with. */
public class HighWatermarkCheckpointTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private final TopicPartition tp = new TopicPartition("hw", 0);

    @After
    public void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    public void roundTripInKafkasFormat() throws Exception {
        Path dir = tmp.newFolder("dir").toPath();
        HighWatermarkCheckpoint checkpoint = new HighWatermarkCheckpoint(dir);
        assertEquals("no file yet", Map.of(), checkpoint.read());
        Map<TopicPartition, Long> offsets = Map.of(new TopicPartition("b", 1), 7L, new TopicPartition("a", 0), 0L,
                new TopicPartition("b", 0), 123_456_789_012L);
        checkpoint.write(offsets);
        assertEquals("0\n3\na 0 0\nb 0 123456789012\nb 1 7\n",
                Files.readString(dir.resolve("replication-offset-checkpoint")));
        assertEquals(offsets, checkpoint.read());
        checkpoint.write(Map.of());
        assertEquals("0\n0\n", Files.readString(checkpoint.file()));
        assertEquals(Map.of(), checkpoint.read());
        assertEquals("no temporary file left", List.of(checkpoint.file()), list(dir));
    }

    @Test
    public void malformedFilesAreRefusedNamingTheFileAndTheProblem() throws Exception {
        Path dir = tmp.newFolder("bad").toPath();
        HighWatermarkCheckpoint checkpoint = new HighWatermarkCheckpoint(dir);
        for (String[] bad : new String[][] {{"", "line"}, {"1\n0\n", "version 1"}, {"0\n2\na 0 1\n", "says 2"},
                {"0\n1\na zero 1\n", "partition 'zero'"}, {"0\n1\na 0\n", "'a 0'"}, {"0\n1\na 0 -5\n", "negative"},
                {"x\n0\n", "version 'x'"}}) {
            Files.writeString(checkpoint.file(), bad[0]);
            IOException e = assertThrows(IOException.class, checkpoint::read);
            assertTrue(e.getMessage(), e.getMessage().contains(checkpoint.file().toString()));
            assertTrue(e.getMessage(), e.getMessage().contains(bad[1]));
        }
    }

    /** Writes {@code committed} records the replicas have, then {@code unreplicated} ones they have not. */
    private BrokerServer startWithUnreplicatedTail(int committed, int unreplicated) throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        BrokerServer broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "hw", 1);
        for (int i = 0; i < committed; i++) {
            BrokerFixture.produce(broker, tp, Records.batch("c" + i));
        }
        fixture.replication.stall(tp);
        for (int i = 0; i < unreplicated; i++) {
            assertEquals(Errors.NONE, broker.partitionService().append(Map.of(tp, Records.batch("u" + i)), (short) 1,
                    1000, false).get(5, TimeUnit.SECONDS).get(tp).error());
        }
        assertEquals(committed, broker.registry().get(tp).highWatermark());
        return broker;
    }

    private Path checkpointFile(BrokerServer broker) {
        return broker.registry().get(tp).dir().getParent().resolve(HighWatermarkCheckpoint.FILE);
    }

    @Test
    public void aRestartedBrokerDoesNotShowAnUnreplicatedTail() throws Exception {
        BrokerServer broker = startWithUnreplicatedTail(3, 2);
        Path file = checkpointFile(broker);
        fixture.stop(broker); // a clean shutdown writes the checkpoint
        assertEquals("0\n1\nhw 0 3\n", Files.readString(file));

        // The leader has not raised it yet (still stalled): the partition starts where the checkpoint says.
        broker = fixture.start(0, Map.of());
        Partition p = broker.registry().get(tp);
        assertEquals(5, p.logEndOffset());
        assertEquals(3, p.highWatermark());
        assertEquals(List.of("c0", "c1", "c2"), values(fetch(broker, tp, 0)));

        fixture.replication.resume(tp);
        assertEquals(5, p.highWatermark());
        assertEquals(5, values(fetch(broker, tp, 0)).size());
    }

    @Test
    public void aCheckpointAboveTheLogIsClippedToItsEnd() throws Exception {
        BrokerServer broker = startWithUnreplicatedTail(1, 1);
        Path file = checkpointFile(broker);
        fixture.stop(broker);
        Files.writeString(file, "0\n1\nhw 0 100\n");
        broker = fixture.start(0, Map.of());
        assertEquals(2, broker.registry().get(tp).highWatermark());
    }

    @Test
    public void withoutACheckpointThePartitionStartsAtZero() throws Exception {
        BrokerServer broker = startWithUnreplicatedTail(2, 1);
        Path file = checkpointFile(broker);
        fixture.stop(broker);
        Files.delete(file);
        broker = fixture.start(0, Map.of());
        assertEquals(0, broker.registry().get(tp).highWatermark());
        assertEquals(List.of(), values(fetch(broker, tp, 0)));
    }

    @Test
    public void aCorruptCheckpointStartsAtZeroAndIsRewrittenWhole() throws Exception {
        BrokerServer broker = startWithUnreplicatedTail(2, 1);
        Path file = checkpointFile(broker);
        fixture.stop(broker);
        Files.writeString(file, "0\n1\nhw 0 garbage\n", StandardCharsets.UTF_8);
        broker = fixture.start(0, Map.of("replica.high.watermark.checkpoint.interval.ms", 20));
        assertEquals("a corrupt checkpoint is no reason not to serve", 0, broker.registry().get(tp).highWatermark());
        assertEquals(List.of(), broker.registry().logDirs().offline().keySet().stream().toList());

        fixture.replication.resume(tp);
        Poll.until("the periodic checkpoint rewrites the file", () -> read(file).equals("0\n1\nhw 0 3\n"));
    }

    @Test
    public void aCheckpointThatCannotBeWrittenTakesItsLogDirOffline() throws Exception {
        BrokerServer broker = startWithUnreplicatedTail(1, 0);
        Path file = checkpointFile(broker);
        Files.deleteIfExists(file);
        Files.createDirectories(file.resolve("in-the-way")); // the rename cannot replace a non-empty directory
        assertEquals(0, broker.registry().checkpointHighWatermarks());
        assertEquals(List.of(file.getParent()), broker.registry().logDirs().offline().keySet().stream().toList());
        assertTrue(broker.registry().logDirs().offline().get(file.getParent()).contains("high watermark checkpoint"));
        assertEquals(Errors.KAFKA_STORAGE_ERROR, fetch(broker, tp, 0).error());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }
}
