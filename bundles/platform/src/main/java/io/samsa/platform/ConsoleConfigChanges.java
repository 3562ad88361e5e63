package io.samsa.platform;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration keys an operator changed through Config Admin (the web console's
 * Configuration page, a Gogo command), kept in a properties file in the broker's data directory so
 * that they outlive the OSGi cache, which the launcher rebuilds at every start.
 *
 * <p>A change is told apart from the platform's own writes by comparing each key's value with
 * what the platform last wrote into the configuration: only a value that differs is the
 * operator's. A value equal to the one the key has without any change (its server.properties
 * value, else its metatype default) drops the key's record instead, so that setting a key back
 * is the same as never having changed it.
 *
 * <p>Values are kept as text in server.properties' form and go through the same mapping and
 * validation as server.properties when they are applied. Keys whose owning bundle is not
 * installed stay in the file untouched: a feature installed later takes them up.
 */
final class ConsoleConfigChanges {
    /** The file's name in {@code samsa.data.dir}. */
    static final String FILE_NAME = "console-config.properties";

    private static final String HEADER = "Configuration changed in the web console or Gogo, re-applied over server.properties at "
            + "every start.\nWritten by the broker: to drop a change, delete its configuration in the web console or set the "
            + "key back to its server.properties value;\nor remove its line here while the broker is stopped.";

    private final Path file;
    private final Properties values;

    private ConsoleConfigChanges(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    /**
     * Reads the recorded changes; none when the file does not exist.
     *
     * @throws IOException naming the file, when it exists but cannot be read or is not a properties file
     */
    static ConsoleConfigChanges read(Path file) throws IOException {
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(reader);
        } catch (NoSuchFileException e) {
            return new ConsoleConfigChanges(file, values);
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a malformed \\u escape; MalformedInputException: not UTF-8
            throw new IOException("cannot read the configuration changes made in the web console or Gogo from " + file
                    + " (" + e + "); repair the file, or move it away to start from server.properties alone", e);
        }
        return new ConsoleConfigChanges(file, values);
    }

    /** No changes recorded, for a file that could not be read: nothing will be written over it. */
    static ConsoleConfigChanges empty(Path file) {
        return new ConsoleConfigChanges(file, new Properties());
    }

    Path file() {
        return file;
    }

    /** A copy of the recorded key-value pairs, in server.properties' text form. */
    Properties values() {
        Properties copy = new Properties();
        copy.putAll(values);
        return copy;
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * Looks at one configuration as it is now and records the operator's changes to the keys it
     * owns.
     *
     * @param current the configuration's values as text, by key
     * @param lastWritten what the platform last wrote into it, as text, by key
     * @param unchanged each owned key's value when nobody changed it (server.properties, else the
     *     metatype default), as text; a key with neither is absent
     * @param ownedKeys the keys the configuration's metatype declares
     * @return what changed
     */
    Observation observe(Map<String, String> current, Map<String, String> lastWritten, Map<String, String> unchanged,
            Collection<String> ownedKeys) {
        Set<String> recorded = new TreeSet<>();
        Set<String> dropped = new TreeSet<>();
        boolean removedOurs = false;
        for (String key : ownedKeys) {
            String now = current.get(key);
            if (Objects.equals(now, lastWritten.get(key))) {
                continue;
            }
            if (now == null || now.equals(unchanged.get(key))) {
                // removed (the component falls back) or set back: either way no longer a change to keep
                if (values.remove(key) != null) {
                    dropped.add(key);
                }
                removedOurs |= now == null && lastWritten.containsKey(key);
            } else if (!now.equals(values.getProperty(key))) {
                values.setProperty(key, now);
                recorded.add(key);
            }
        }
        return new Observation(recorded, dropped, removedOurs);
    }

    /**
     * @param recorded keys whose change is recorded now
     * @param dropped keys whose record was dropped
     * @param removedOurs a key the platform had written is gone: write server.properties' values again
     */
    record Observation(Set<String> recorded, Set<String> dropped, boolean removedOurs) {
        boolean recordChanged() {
            return !recorded.isEmpty() || !dropped.isEmpty();
        }
    }

    /** Drops the keys' records (their configuration was deleted); returns the keys that had one. */
    Set<String> drop(Collection<String> keys) {
        Set<String> dropped = new TreeSet<>();
        for (String key : keys) {
            if (values.remove(key) != null) {
                dropped.add(key);
            }
        }
        return dropped;
    }

    /**
     * Writes the record to a temporary file beside it and moves that over the file, so that a
     * crash mid-write leaves the previous record whole.
     */
    void write() throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        StringWriter text = new StringWriter();
        sorted().store(text, HEADER);
        Files.writeString(temp, text.toString(), StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Properties.store in key order, so that the file diffs well. */
    private Properties sorted() {
        Map<Object, Object> ordered = new TreeMap<>();
        values.forEach(ordered::put);
        return new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public Set<Map.Entry<Object, Object>> entrySet() {
                return ordered.entrySet();
            }
        };
    }

    /**
     * A configuration value as server.properties writes it: a list or an array comma-separated,
     * anything else its string form; null stays null.
     */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Collection<?> items) {
            StringJoiner joined = new StringJoiner(",");
            items.forEach(item -> joined.add(String.valueOf(item)));
            return joined.toString();
        }
        if (value.getClass().isArray()) {
            StringJoiner joined = new StringJoiner(",");
            for (int i = 0; i < Array.getLength(value); i++) {
                joined.add(String.valueOf(Array.get(value, i)));
            }
            return joined.toString();
        }
        return String.valueOf(value);
    }
}
