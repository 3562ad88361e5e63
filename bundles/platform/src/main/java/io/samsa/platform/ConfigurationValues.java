package io.samsa.platform;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Writes values into Config Admin, either replacing what is there (the operator's
 * server.properties) or only adding what is missing (a feature's defaults, which must never
 * overwrite a value an operator set).
 */
final class ConfigurationValues {
    /** Any bundle may receive the configuration: the writer is never the consumer. */
    private static final String ANY_LOCATION = "?";

    private final ConfigurationAdmin configAdmin;

    ConfigurationValues(ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    /** Sets the values, replacing the ones already there; other keys stay. */
    void put(String pid, Map<String, ?> values) throws IOException {
        Configuration config = configAdmin.getConfiguration(pid, ANY_LOCATION);
        Dictionary<String, Object> properties = copy(config.getProperties());
        values.forEach(properties::put);
        config.updateIfDifferent(properties);
    }

    /**
     * Removes the keys, so that the component falls back to its metatype defaults for them. A
     * configuration that does not exist (deleted, say in the web console) is not created empty.
     */
    void remove(String pid, Collection<String> keys) throws IOException {
        Configuration config = configAdmin.getConfiguration(pid, ANY_LOCATION);
        if (config.getProperties() == null) {
            return;
        }
        Dictionary<String, Object> properties = copy(config.getProperties());
        keys.forEach(properties::remove);
        config.updateIfDifferent(properties);
    }

    /**
     * Adds the keys the configuration lacks. A configuration with a factory PID is addressed as
     * {@code factoryPid~name}.
     *
     * @return the keys added
     */
    List<String> addMissing(String pid, String factoryPid, Map<String, ?> values) throws IOException {
        Configuration config = factoryPid == null
                ? configAdmin.getConfiguration(pid, ANY_LOCATION)
                : configAdmin.getFactoryConfiguration(factoryPid, pid.substring(factoryPid.length() + 1), ANY_LOCATION);
        Dictionary<String, Object> properties = copy(config.getProperties());
        List<String> added = missingKeys(properties, values);
        if (!added.isEmpty() || config.getProperties() == null) {
            for (String key : added) {
                properties.put(key, values.get(key));
            }
            config.update(properties);
        }
        return added;
    }

    /** The keys of {@code values} that {@code existing} does not have, in iteration order. */
    static List<String> missingKeys(Dictionary<String, ?> existing, Map<String, ?> values) {
        List<String> missing = new ArrayList<>();
        for (String key : values.keySet()) {
            if (existing == null || existing.get(key) == null) {
                missing.add(key);
            }
        }
        return missing;
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> properties) {
        Hashtable<String, Object> copy = new Hashtable<>();
        if (properties != null) {
            for (String key : Collections.list(properties.keys())) {
                copy.put(key, properties.get(key));
            }
        }
        return copy;
    }
}
