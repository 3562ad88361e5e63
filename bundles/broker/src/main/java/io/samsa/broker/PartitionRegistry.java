package io.samsa.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * The partitions whose logs are open on this broker, spread over the log directories.
 * <p>
 * Opening, closing, deleting and re-opening through another engine are serialised on this
 * object; looking a partition up is lock-free.
 */
final class PartitionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRegistry.class);
    /** Kafka's per-partition file recording which topic id the directory belongs to. */
    static final String PARTITION_METADATA = "partition.metadata";

    private final int brokerId;
    private final List<Path> logDirs;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final Set<TopicPartition> offline = ConcurrentHashMap.newKeySet();
    private volatile StorageEngine engine;

    PartitionRegistry(int brokerId, List<Path> logDirs, StorageEngine engine) {
        this.brokerId = brokerId;
        this.logDirs = logDirs;
        this.engine = engine;
    }

    Partition get(TopicPartition tp) {
        return partitions.get(tp);
    }

    Collection<Partition> all() {
        return partitions.values();
    }

    boolean isOffline(TopicPartition tp) {
        return offline.contains(tp);
    }

    StorageEngine engine() {
        return engine;
    }

    /** Opens (creating if needed) the log of {@code tp}, or returns the partition when already open. */
    synchronized Partition open(TopicPartition tp, Uuid topicId, LogConfig config, long nowMs) throws IOException {
        Partition existing = partitions.get(tp);
        if (existing != null) {
            return existing;
        }
        try {
            Path dir = directoryFor(tp, topicId);
            PartitionLog log = engine.open(tp, dir, config);
            writeTopicId(dir, topicId);
            Partition p = new Partition(tp, dir, brokerId, log, engine, config);
            int batches = ProducerStateLoader.load(log, p.producers(), nowMs);
            partitions.put(tp, p);
            offline.remove(tp);
            LOG.info("Opened log of {} in {} through {}: offsets {}..{}, {} producer(s) from {} batch header(s)", tp,
                    dir.getParent(), engine.name(), log.logStartOffset(), log.logEndOffset(),
                    p.producers().size(), batches);
            return p;
        } catch (IOException | RuntimeException e) {
            offline.add(tp);
            throw e;
        }
    }

    synchronized void close(TopicPartition tp) {
        Partition p = partitions.remove(tp);
        if (p != null) {
            try {
                p.close();
            } catch (IOException e) {
                LOG.warn("Closing the log of {} failed", tp, e);
            }
        }
    }

    synchronized void delete(TopicPartition tp) {
        offline.remove(tp);
        Partition p = partitions.remove(tp);
        if (p == null) {
            return;
        }
        try {
            p.delete();
            LOG.info("Deleted the log of {} in {}", tp, p.dir());
        } catch (IOException e) {
            LOG.warn("Deleting the log of {} in {} failed", tp, p.dir(), e);
        }
    }

    synchronized void closeAll() {
        for (TopicPartition tp : new ArrayList<>(partitions.keySet())) {
            close(tp);
        }
    }

    /**
     * Closes every log opened through the current engine and re-opens it through {@code next}.
     *
     * @return the number of partitions re-opened
     */
    synchronized int reopenAll(StorageEngine next) {
        engine = next;
        int reopened = 0;
        for (Partition p : partitions.values()) {
            try {
                p.reopen(next);
                reopened++;
            } catch (IOException | RuntimeException e) {
                offline.add(p.topicPartition());
                LOG.error("Re-opening the log of {} through {} failed; the partition is offline",
                        p.topicPartition(), next.name(), e);
            }
        }
        return reopened;
    }

    /**
     * The existing directory of {@code tp} in any log dir, else a new one in the log dir holding
     * the fewest partitions. A directory left from an earlier topic of the same name (another
     * topic id) is renamed aside as stray rather than reused.
     */
    private Path directoryFor(TopicPartition tp, Uuid topicId) throws IOException {
        String name = tp.topic() + "-" + tp.partition();
        for (Path logDir : logDirs) {
            Path dir = logDir.resolve(name);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            Uuid recorded = readTopicId(dir);
            if (recorded == null || recorded.equals(topicId)) {
                return dir;
            }
            Path stray = logDir.resolve(name + "." + Uuid.randomUuid().toString().replace('-', '_') + "-stray");
            Files.move(dir, stray);
            LOG.warn("{} belongs to topic id {}, not {}; moved it to {}", dir, recorded, topicId, stray);
        }
        Path least = logDirs.get(0);
        long leastCount = Long.MAX_VALUE;
        for (Path logDir : logDirs) {
            long count = partitions.values().stream().filter(p -> p.dir().getParent().equals(logDir)).count();
            if (count < leastCount) {
                least = logDir;
                leastCount = count;
            }
        }
        Files.createDirectories(least);
        return least.resolve(name);
    }

    private static Uuid readTopicId(Path dir) {
        Path file = dir.resolve(PARTITION_METADATA);
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("topic_id:")) {
                    return Uuid.fromString(line.substring("topic_id:".length()).trim());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    private static void writeTopicId(Path dir, Uuid topicId) throws IOException {
        Path file = dir.resolve(PARTITION_METADATA);
        if (topicId.equals(readTopicId(dir))) {
            return;
        }
        Path tmp = dir.resolve(PARTITION_METADATA + ".tmp");
        Files.writeString(tmp, "version: 0\ntopic_id: " + topicId + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Partition directories in the log dirs that no known topic claims; left in place, but reported. */
    List<Path> unclaimedDirectories(Set<String> knownTopics) {
        List<Path> unclaimed = new ArrayList<>();
        for (Path logDir : logDirs) {
            try (var entries = Files.list(logDir)) {
                entries.filter(Files::isDirectory).forEach(d -> {
                    String n = d.getFileName().toString();
                    int dash = n.lastIndexOf('-');
                    if (dash > 0 && dash < n.length() - 1 && n.substring(dash + 1).chars().allMatch(Character::isDigit)
                            && !knownTopics.contains(n.substring(0, dash))) {
                        unclaimed.add(d);
                    }
                });
            } catch (IOException e) {
                LOG.debug("Cannot list {}", logDir, e);
            }
        }
        return unclaimed;
    }
}
