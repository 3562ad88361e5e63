package io.samsa.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.LogDirDescription;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * The partitions whose logs are open on this broker, spread over the log directories, and the
 * ones that are offline because their log dir failed (Kafka's log dir failure handling).
 * <p>
 * Opening, closing, deleting, re-opening through another engine and taking a log dir offline
 * are serialised on this object; looking a partition up is lock-free.
 */
final class PartitionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRegistry.class);
    /** Kafka's per-partition file recording which topic id the directory belongs to. */
    static final String PARTITION_METADATA = "partition.metadata";

    private final LogDirs logDirs;
    private final Consumer<Collection<TopicPartition>> offlineListener;
    private final Consumer<TopicPartition> readableChanged;
    /**
     * Per log dir, the high watermarks last read from or written to its checkpoint file; read
     * when the first partition of the dir opens. Guarded by itself.
     */
    private final Map<Path, Map<TopicPartition, Long>> checkpointed = new HashMap<>();
    private final Object checkpointWriter = new Object();
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Partitions whose log dir is offline (or may hold them), with why; only a restart brings them back. */
    private final Map<TopicPartition, String> inOfflineDir = new ConcurrentHashMap<>();
    /** Partitions whose log failed to open for another reason; opening is retried on the next change. */
    private final Set<TopicPartition> failedOpens = ConcurrentHashMap.newKeySet();
    private volatile StorageEngine engine;

    /**
     * @param offlineListener told which partitions went offline with their log dir (under this
     *                        object's lock only when that happened while opening logs)
     * @param readableChanged told, outside the partition's lock, that a partition got data or
     *                        its high watermark moved
     */
    PartitionRegistry(LogDirs logDirs, StorageEngine engine,
            Consumer<Collection<TopicPartition>> offlineListener, Consumer<TopicPartition> readableChanged) {
        this.logDirs = logDirs;
        this.engine = engine;
        this.offlineListener = offlineListener;
        this.readableChanged = readableChanged;
    }

    Partition get(TopicPartition tp) {
        return partitions.get(tp);
    }

    Collection<Partition> all() {
        return partitions.values();
    }

    /** True when this broker's replica of {@code tp} cannot be served (its log dir is offline, or it failed to open). */
    boolean isOffline(TopicPartition tp) {
        return inOfflineDir.containsKey(tp) || failedOpens.contains(tp);
    }

    /** True when the log dir that holds (or may hold) {@code tp} is offline; opening it is then not retried. */
    boolean inOfflineLogDir(TopicPartition tp) {
        return inOfflineDir.containsKey(tp);
    }

    /** Why {@code tp} answers KAFKA_STORAGE_ERROR, for error messages; null when it is not offline. */
    String offlineReason(TopicPartition tp) {
        String reason = inOfflineDir.get(tp);
        return reason != null ? reason : failedOpens.contains(tp) ? "its log failed to open" : null;
    }

    /** The partitions known offline here, whether or not a log was ever opened for them. */
    Set<TopicPartition> offlinePartitions() {
        Set<TopicPartition> all = new HashSet<>(inOfflineDir.keySet());
        all.addAll(failedOpens);
        return all;
    }

    LogDirs logDirs() {
        return logDirs;
    }

    /**
     * Each log dir with the size of every open partition log in it. An offline dir is reported
     * with KAFKA_STORAGE_ERROR and nothing else, as Kafka does; a partition whose size cannot
     * be read is left out rather than failing the whole answer.
     */
    List<LogDirDescription> describeLogDirs() {
        List<LogDirDescription> dirs = new ArrayList<>();
        for (Path dir : logDirs.all()) {
            if (!logDirs.isOnline(dir)) {
                dirs.add(new LogDirDescription(dir.toString(), Errors.KAFKA_STORAGE_ERROR, -1, -1, Map.of()));
                continue;
            }
            Map<TopicPartition, Long> sizes = new LinkedHashMap<>();
            for (Partition p : partitions.values()) {
                if (p.online() && dir.equals(p.dir().getParent())) {
                    try {
                        sizes.put(p.topicPartition(), p.log().sizeInBytes());
                    } catch (RuntimeException e) {
                        LOG.debug("Size of {} unavailable for DescribeLogDirs", p.topicPartition(), e);
                    }
                }
            }
            long total = -1;
            long usable = -1;
            try {
                FileStore store = Files.getFileStore(dir);
                total = store.getTotalSpace();
                usable = store.getUsableSpace();
            } catch (IOException e) {
                LOG.debug("File system of log dir {} unavailable for DescribeLogDirs", dir, e);
            }
            dirs.add(new LogDirDescription(dir.toString(), Errors.NONE, total, usable, sizes));
        }
        return dirs;
    }

    StorageEngine engine() {
        return engine;
    }

    /**
     * Opens the log of {@code tp}, or returns the partition when already open.
     * <p>
     * As in Kafka, a log that is not found in the online log dirs is only created when the
     * partition may be new, or when no log dir is offline: otherwise it may be in an offline
     * dir, and an empty replacement would hide its data.
     *
     * @param mayBeNew false while loading the partitions that existed before this broker started
     * @throws KafkaStorageException when the log dir is offline or fails now
     */
    synchronized Partition open(TopicPartition tp, Uuid topicId, LogConfig config, long nowMs, boolean mayBeNew)
            throws IOException {
        Partition existing = partitions.get(tp);
        if (existing != null) {
            return existing;
        }
        String offlineReason = inOfflineDir.get(tp);
        if (offlineReason != null) {
            throw new KafkaStorageException("The log of " + tp + " is offline: " + offlineReason);
        }
        Path dir = directoryFor(tp, topicId, mayBeNew && !failedOpens.contains(tp));
        PartitionLog log = null;
        try {
            ReentrantLock lock = new ReentrantLock();
            log = engine.open(tp, dir, config, lock);
            writeTopicId(dir, topicId);
            Partition p = new Partition(tp, topicId, dir, lock, log, engine, config,
                    checkpointedHighWatermark(dir.getParent(), tp), this::failed, readableChanged);
            int batches = ProducerStateLoader.load(log, p.producers(), nowMs);
            partitions.put(tp, p);
            failedOpens.remove(tp);
            LOG.info("Opened log of {} in {} through {}: offsets {}..{}, high watermark {}, {} producer(s) from {} "
                    + "batch header(s)", tp, dir.getParent(), engine.name(), log.logStartOffset(), log.logEndOffset(),
                    p.highWatermark(), p.producers().size(), batches);
            return p;
        } catch (IOException | RuntimeException e) {
            closeQuietly(log);
            if (LogDirs.isStorageFailure(e)) {
                offlineListener.accept(takeOffline(dir.getParent(), tp, "opening the log", e));
            } else {
                failedOpens.add(tp);
            }
            throw e;
        }
    }

    /** Deletes the log of {@code tp}; one in an offline log dir is only forgotten (its files stay there). */
    synchronized void delete(TopicPartition tp) {
        if (inOfflineDir.remove(tp) != null) {
            LOG.warn("{} was deleted while its log dir is offline; any files of it there stay until removed by hand",
                    tp);
        }
        failedOpens.remove(tp);
        Partition p = partitions.remove(tp);
        if (p == null) {
            return;
        }
        try {
            p.delete();
            LOG.info("Deleted the log of {} in {}", tp, p.dir());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Deleting the log of {} in {} failed", tp, p.dir(), e);
        }
    }

    synchronized void closeAll() {
        for (TopicPartition tp : new ArrayList<>(partitions.keySet())) {
            Partition p = partitions.remove(tp);
            try {
                p.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Closing the log of {} failed", tp, e);
            }
        }
    }

    /**
     * Closes every log opened through the current engine and re-opens it through {@code next}.
     * Partitions in offline log dirs stay closed.
     *
     * @return the number of partitions re-opened
     */
    synchronized int reopenAll(StorageEngine next) {
        engine = next;
        int reopened = 0;
        for (Partition p : List.copyOf(partitions.values())) {
            TopicPartition tp = p.topicPartition();
            if (partitions.get(tp) != p) {
                continue; // its log dir went offline while re-opening an earlier partition
            }
            try {
                p.reopen(next);
                reopened++;
            } catch (IOException | RuntimeException e) {
                if (LogDirs.isStorageFailure(e)) {
                    offlineListener.accept(takeOffline(p.dir().getParent(), tp,
                            "re-opening the log through " + next.name(), e));
                } else {
                    failedOpens.add(tp);
                    LOG.error("Re-opening the log of {} through {} failed; the partition is offline", tp,
                            next.name(), e);
                }
            }
        }
        return reopened;
    }

    /** {@link Partition.StorageFailures}: a partition's log failed on disk; its whole log dir goes offline. */
    private void failed(Partition p, String operation, Throwable cause) {
        TopicPartition tp = p.topicPartition();
        List<TopicPartition> affected;
        synchronized (this) {
            if (partitions.get(tp) != p) {
                return; // closed or replaced meanwhile; nothing of it is served any more
            }
            affected = takeOffline(p.dir().getParent(), tp, operation, cause);
        }
        offlineListener.accept(affected);
    }

    /**
     * Kafka's log dir failure handling: marks {@code logDir} offline and closes, without
     * deleting, every log in it. Its partitions answer KAFKA_STORAGE_ERROR until a restart; the
     * other log dirs are untouched.
     *
     * @return the partitions taken offline, for the offline listener
     */
    private List<TopicPartition> takeOffline(Path logDir, TopicPartition tp, String operation, Throwable cause) {
        String reason = "log dir " + logDir + " is offline after " + operation + (tp == null ? "" : " of " + tp)
                + " failed (" + LogDirs.describe(cause) + ")";
        List<TopicPartition> affected = new ArrayList<>();
        if (tp != null) {
            inOfflineDir.put(tp, reason);
            affected.add(tp);
        }
        if (logDirs.markOffline(logDir, reason)) {
            LOG.error("Log dir {} is offline: {}{} failed with {}. Every partition in it answers "
                    + "KAFKA_STORAGE_ERROR until the broker restarts; the other log dirs keep serving. {}", logDir,
                    operation, tp == null ? "" : " of partition " + tp, LogDirs.describe(cause),
                    LogDirs.OPERATOR_ACTION, cause);
        }
        for (Partition p : List.copyOf(partitions.values())) {
            if (p.dir().getParent().equals(logDir)) {
                partitions.remove(p.topicPartition());
                inOfflineDir.put(p.topicPartition(), reason);
                p.closeAfterFailure();
                if (!p.topicPartition().equals(tp)) {
                    affected.add(p.topicPartition());
                }
            }
        }
        LOG.error("Closed the logs of {} partition(s) in offline log dir {}, keeping their files: {}",
                affected.size(), logDir, affected);
        if (logDirs.online().isEmpty()) {
            LOG.error("All log dirs {} are offline: this broker cannot serve any partition. It keeps running and "
                    + "answers KAFKA_STORAGE_ERROR (Kafka would shut down). {}", logDirs.all(),
                    LogDirs.OPERATOR_ACTION);
        }
        return affected;
    }

    /**
     * The high watermark {@code tp} had in {@code logDir}'s checkpoint, 0 when it has none: a
     * partition starts no higher than what was known committed, and its leader raises it.
     */
    private long checkpointedHighWatermark(Path logDir, TopicPartition tp) {
        synchronized (checkpointed) {
            Map<TopicPartition, Long> offsets = checkpointed.get(logDir);
            if (offsets == null) {
                HighWatermarkCheckpoint file = new HighWatermarkCheckpoint(logDir);
                try {
                    offsets = file.read();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Cannot read the high watermark checkpoint {} ({}); the partitions of {} start with high "
                            + "watermark 0 until their leaders raise it", file.file(), LogDirs.describe(e), logDir);
                    offsets = Map.of();
                }
                checkpointed.put(logDir, offsets);
            }
            return offsets.getOrDefault(tp, 0L);
        }
    }

    /**
     * Writes the high watermark of every open partition to its online log dir's checkpoint file
     * (Kafka's {@code replica.high.watermark.checkpoint.interval.ms} task, and its last act at a
     * clean shutdown). A dir whose file cannot be written goes offline, as in Kafka.
     *
     * @return the number of log dirs whose file was written (unchanged ones are not rewritten)
     */
    int checkpointHighWatermarks() {
        Map<Path, Map<TopicPartition, Long>> byDir = new HashMap<>();
        for (Path logDir : logDirs.online()) {
            byDir.put(logDir, new HashMap<>());
        }
        for (Partition p : partitions.values()) {
            Map<TopicPartition, Long> offsets = p.online() ? byDir.get(p.dir().getParent()) : null;
            if (offsets != null) {
                offsets.put(p.topicPartition(), p.highWatermark());
            }
        }
        int written = 0;
        Map<Path, Throwable> failed = new HashMap<>();
        // Serialises writers; never held while taking this object's lock (open() nests them the other way).
        synchronized (checkpointWriter) {
            for (Map.Entry<Path, Map<TopicPartition, Long>> e : byDir.entrySet()) {
                synchronized (checkpointed) {
                    if (e.getValue().equals(checkpointed.get(e.getKey()))) {
                        continue;
                    }
                }
                try {
                    new HighWatermarkCheckpoint(e.getKey()).write(e.getValue());
                    synchronized (checkpointed) {
                        checkpointed.put(e.getKey(), Map.copyOf(e.getValue()));
                    }
                    written++;
                } catch (IOException | RuntimeException ex) {
                    failed.put(e.getKey(), ex);
                }
            }
        }
        failed.forEach((logDir, cause) -> {
            List<TopicPartition> affected;
            synchronized (this) {
                affected = takeOffline(logDir, null, "writing the high watermark checkpoint", cause);
            }
            offlineListener.accept(affected);
        });
        return written;
    }

    private static void closeQuietly(PartitionLog log) {
        if (log != null) {
            try {
                log.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing {} after a failed open failed", log, e);
            }
        }
    }

    /**
     * The existing directory of {@code tp} in an online log dir, else a new one in the online
     * log dir holding the fewest partitions. A directory left from an earlier topic of the same
     * name (another topic id) is renamed aside as stray rather than reused.
     */
    private Path directoryFor(TopicPartition tp, Uuid topicId, boolean mayBeNew) throws IOException {
        String name = tp.topic() + "-" + tp.partition();
        List<Path> online = logDirs.online();
        for (Path logDir : online) {
            Path dir = logDir.resolve(name);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            Uuid recorded = readTopicId(dir);
            if (recorded == null || recorded.equals(topicId)) {
                return dir;
            }
            Path stray = logDir.resolve(name + "." + Uuid.randomUuid().toString().replace('-', '_') + "-stray");
            try {
                Files.move(dir, stray);
            } catch (IOException e) {
                offlineListener.accept(takeOffline(logDir, tp, "moving a stray directory aside", e));
                throw e;
            }
            LOG.warn("{} belongs to topic id {}, not {}; moved it to {}", dir, recorded, topicId, stray);
        }
        Map<Path, String> offline = logDirs.offline();
        String missing = null;
        if (online.isEmpty()) {
            missing = "no log dir is online (offline: " + offline.keySet() + ")";
        } else if (!mayBeNew && !offline.isEmpty()) {
            missing = "its log is in none of the online log dirs and may be in offline log dir(s) " + offline.keySet();
        }
        if (missing != null) {
            inOfflineDir.put(tp, missing);
            offlineListener.accept(List.of(tp));
            throw new KafkaStorageException("Cannot open the log of " + tp + ": " + missing);
        }
        Path least = online.get(0);
        long leastCount = Long.MAX_VALUE;
        for (Path logDir : online) {
            long count = partitions.values().stream().filter(p -> p.dir().getParent().equals(logDir)).count();
            if (count < leastCount) {
                least = logDir;
                leastCount = count;
            }
        }
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
        for (Path logDir : logDirs.online()) {
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
