package io.samsa.broker;

import java.io.IOError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories of {@code log.dirs} and which of them are offline. As in Kafka, a disk error
 * in one partition's log takes its whole log dir offline until the broker restarts: the disk is
 * presumed bad, and a half-working disk must not keep taking writes that may be lost.
 */
final class LogDirs {

    private static final Logger LOG = LoggerFactory.getLogger(LogDirs.class);
    static final String OPERATOR_ACTION = "Fix or replace the disk, then restart the broker.";
    private static final String PROBE_PREFIX = ".samsa-write-check";

    private final List<Path> all;
    /** Offline dir to why it went offline; entries are never removed (only a restart brings a dir back). */
    private final Map<Path, String> offline = new ConcurrentHashMap<>();

    LogDirs(List<Path> dirs) {
        this.all = List.copyOf(dirs);
    }

    List<Path> all() {
        return all;
    }

    List<Path> online() {
        List<Path> up = new ArrayList<>(all.size());
        for (Path d : all) {
            if (!offline.containsKey(d)) {
                up.add(d);
            }
        }
        return up;
    }

    boolean isOnline(Path dir) {
        return !offline.containsKey(dir);
    }

    /** Offline dirs in {@code log.dirs} order, with the reason each went offline. */
    Map<Path, String> offline() {
        Map<Path, String> out = new LinkedHashMap<>();
        for (Path d : all) {
            String reason = offline.get(d);
            if (reason != null) {
                out.put(d, reason);
            }
        }
        return out;
    }

    /** @return true when this call took {@code dir} offline, false when it already was */
    boolean markOffline(Path dir, String reason) {
        return offline.putIfAbsent(dir, reason) == null;
    }

    /**
     * Creates every log dir and proves it writable with a probe file. A dir that fails is offline
     * from the start rather than failing the broker, as long as another one works.
     *
     * @throws IOException when no log dir is usable
     */
    void checkAtStartup() throws IOException {
        for (Path dir : all) {
            try {
                Files.createDirectories(dir);
                Path probe = Files.createTempFile(dir, PROBE_PREFIX, ".tmp");
                Files.delete(probe);
            } catch (IOException | RuntimeException e) {
                String reason = "cannot create or write it: " + describe(e);
                markOffline(dir, reason);
                LOG.error("Log dir {} is offline from startup: {}. Partitions stored in it answer "
                        + "KAFKA_STORAGE_ERROR and new partitions go to the other log dirs. {}", dir, reason,
                        OPERATOR_ACTION);
            }
        }
        if (online().isEmpty()) {
            throw new IOException("None of the log dirs " + all + " can be used: " + offline() + ". "
                    + OPERATOR_ACTION);
        }
    }

    /**
     * True when {@code e} says the disk failed: an {@link IOException} (including a full disk),
     * or an unchecked exception wrapping one, or Kafka's {@link KafkaStorageException}.
     */
    static boolean isStorageFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof IOError
                    || t instanceof KafkaStorageException) {
                return true;
            }
        }
        return false;
    }

    /** The exception's type and message, e.g. {@code IOException: No space left on device}. */
    static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
