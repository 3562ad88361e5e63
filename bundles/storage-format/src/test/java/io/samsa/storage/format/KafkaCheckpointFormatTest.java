package io.samsa.storage.format;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.storage.internals.checkpoint.LeaderEpochCheckpointFile;
import org.apache.kafka.storage.internals.checkpoint.OffsetCheckpointFile;
import org.apache.kafka.storage.internals.log.EpochEntry;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The leader epoch and recovery point checkpoints, read and written by Kafka's own checkpoint classes. */
public class KafkaCheckpointFormatTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void kafkaReadsTheLeaderEpochCheckpointAndWritesTheSameBytes() throws Exception {
        Path ours = tmp.newFolder("ours").toPath();
        LeaderEpochCache cache = LeaderEpochCache.read(ours);
        cache.assign(0, 0);
        cache.assign(0, 2);
        cache.assign(1, 5);
        cache.assign(3, 6);
        cache.flush();
        Path file = ours.resolve(LeaderEpochCache.FILE);
        List<EpochEntry> read = new LeaderEpochCheckpointFile(file.toFile(), new LogDirFailureChannel(1)).read();
        assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(1, 5), new EpochEntry(3, 6)), read);

        Path theirs = tmp.newFolder("theirs").toPath();
        new LeaderEpochCheckpointFile(theirs.resolve(LeaderEpochCache.FILE).toFile(), new LogDirFailureChannel(1))
                .write(read);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(theirs.resolve(LeaderEpochCache.FILE)));
        assertTrue("what Kafka wrote reads back", LeaderEpochCache.read(theirs).fromFile());
    }

    @Test
    public void kafkaReadsTheRecoveryPointAsAnOffsetCheckpoint() throws Exception {
        Path dir = tmp.newFolder("orders-3").toPath();
        TopicPartition tp = new TopicPartition("orders", 3);
        CheckpointFiles.writeRecoveryPoint(dir, tp, 40);
        Path file = dir.resolve(CheckpointFiles.RECOVERY_POINT);
        assertEquals(Map.of(tp, 40L), new OffsetCheckpointFile(file.toFile(), new LogDirFailureChannel(1)).read());

        Path theirs = tmp.newFolder("theirs").toPath();
        new OffsetCheckpointFile(theirs.resolve(CheckpointFiles.RECOVERY_POINT).toFile(), new LogDirFailureChannel(1))
                .write(Map.of(tp, 41L));
        assertEquals(41, CheckpointFiles.readRecoveryPoint(theirs));
        CheckpointFiles.writeRecoveryPoint(dir, tp, 41);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(theirs.resolve(CheckpointFiles.RECOVERY_POINT)));
    }
}
