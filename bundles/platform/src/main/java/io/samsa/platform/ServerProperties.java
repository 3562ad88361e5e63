package io.samsa.platform;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the operator's Kafka-style server.properties (framework property
 * {@code samsa.server.properties}) to Config Admin. Each key goes to the PID whose metatype
 * declares it, so the keys of a feature can only be applied once its bundles are installed: the
 * {@link FeatureInstaller} calls {@link #apply()} after installing a feature's bundles and before
 * starting them, and the components activate once, with the operator's values.
 *
 * <p>Over server.properties it lays the operator's changes made through Config Admin (the web
 * console, Gogo), which it records in {@link ConsoleConfigChanges} because the launcher rebuilds
 * Config Admin's store at every start, and over those the broker's dynamic configuration (Kafka's
 * {@code /config/brokers/<default>} and {@code /config/brokers/<id>}, which the broker publishes
 * as the configuration {@value #DYNAMIC_PID}): precedence, lowest first, is the metatype default,
 * server.properties, the console changes, the dynamic values. The dynamic values win because they
 * are the cluster's record of the broker, what kafka-configs describes; a console change under one
 * is kept and takes effect when the dynamic value is deleted. A key dropped from a layer goes back
 * to the value of the layer below, or to its default.
 *
 * <p>An invalid value stops the framework: a broker must not join a cluster with, say, a default
 * broker.id because its configured one did not parse. An invalid dynamic value is logged and
 * skipped: it was validated when it was stored, and the broker is running.
 */
@Component(service = {ServerProperties.class, ConfigurationListener.class}, immediate = true)
public class ServerProperties implements ConfigurationListener {
    /** Published by the broker bundle (DynamicConfigPublisher). */
    static final String DYNAMIC_PID = "io.samsa.broker.dynamic";

    /** The launcher exits with this status when the framework stopped because of bad configuration. */
    static final String EXIT_STATUS_PROPERTY = "samsa.exit.status";

    /** Set by Felix FileInstall on the configurations it creates from the hot-deploy folder. */
    private static final String FILEINSTALL_FILE = "felix.fileinstall.filename";

    private static final Logger LOG = LoggerFactory.getLogger(ServerProperties.class);

    private final BundleContext context;
    private final MetaTypeService metaTypes;
    private final ConfigurationValues configurations;
    private final Properties properties = new Properties();
    private final Path workDir;
    private final Path dataDir;
    private final String source;
    private final ConfigurationAdmin configAdmin;
    private boolean refused;
    private Properties dynamic = new Properties();
    private ConsoleConfigChanges consoleChanges;
    /** The keys the console changes or dynamic values set that server.properties does not, by PID: removed when dropped. */
    private final Map<String, Set<String>> layeredOnly = new HashMap<>();
    /** What {@link #apply()} last wrote, as text, by PID and key: a value that differs is the operator's. */
    private Map<String, Map<String, String>> lastWritten = Map.of();
    /** server.properties' values as text, by PID and key: a key set back to one of these is no change. */
    private Map<String, Map<String, String>> unchanged = Map.of();
    /** The values features give their PIDs, as text, by PID and key: the platform's, not the operator's. */
    private final Map<String, Map<String, String>> featureDefaults = new HashMap<>();
    /** Invalid recorded values already logged: apply() runs once per feature. */
    private final Set<String> reportedErrors = new HashSet<>();

    @Activate
    public ServerProperties(BundleContext context, @Reference ConfigurationAdmin configAdmin,
            @Reference MetaTypeService metaTypes) {
        this.context = context;
        this.metaTypes = metaTypes;
        this.configAdmin = configAdmin;
        this.configurations = new ConfigurationValues(configAdmin);
        this.workDir = Paths.get(System.getProperty("user.dir"));
        String dataDirProperty = context.getProperty("samsa.data.dir");
        this.dataDir = workDir.resolve(dataDirProperty == null ? "data" : dataDirProperty).normalize();
        String file = context.getProperty("samsa.server.properties");
        String readFrom = "defaults";
        if (file != null && !file.isBlank()) {
            Path path = workDir.resolve(file);
            readFrom = path.toString();
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                refuseToStart("cannot read server properties " + path + ": " + e);
            }
        }
        this.source = readFrom;
        Path changesFile = dataDir.resolve(ConsoleConfigChanges.FILE_NAME);
        try {
            this.consoleChanges = ConsoleConfigChanges.read(changesFile);
        } catch (IOException e) {
            this.consoleChanges = ConsoleConfigChanges.empty(changesFile);
            refuseToStart(e.getMessage());
        }
        apply();
    }

    /**
     * Applies every key owned by an installed bundle's metatype; keys already applied are
     * written again only when their value differs.
     *
     * @return false when the configuration was refused and the framework is stopping: start nothing
     */
    synchronized boolean apply() {
        if (refused) {
            return false;
        }
        ConfigKeyCatalogue catalogue = ConfigKeyCatalogue.read(metaTypes, context.getBundles());
        for (String conflict : catalogue.conflicts()) {
            LOG.error("Configuration key with two owners: {}; the value goes to both", conflict);
        }
        ServerPropertiesMapping.Result result = ServerPropertiesMapping.map(properties, catalogue, workDir, dataDir);
        if (!result.errors().isEmpty()) {
            refuseToStart(source + ": invalid values: " + String.join("; ", result.errors()));
            return false;
        }
        Properties recorded = consoleChanges.values();
        ServerPropertiesMapping.Result changes = ServerPropertiesMapping.map(recorded, catalogue, workDir, dataDir);
        for (String error : changes.errors()) {
            if (reportedErrors.add(error)) {
                LOG.error("{}: invalid value recorded from the web console or Gogo, skipped: {}; set the key again in the "
                        + "console, or correct or remove its line while the broker is stopped", consoleChanges.file(), error);
            }
        }
        ServerPropertiesMapping.Result overlay = ServerPropertiesMapping.map(dynamic, catalogue, workDir, dataDir);
        if (!overlay.errors().isEmpty()) {
            LOG.error("Dynamic broker configuration: invalid values, not applied: {}", String.join("; ", overlay.errors()));
        }
        Map<String, Map<String, Object>> byPid = new TreeMap<>();
        result.byPid().forEach((pid, values) -> byPid.put(pid, new LinkedHashMap<>(values)));
        Map<String, Set<String>> dropped = new HashMap<>();
        layeredOnly.forEach((pid, keys) -> dropped.put(pid, new TreeSet<>(keys)));
        layeredOnly.clear();
        layeredOnly.putAll(layer(byPid, changes.byPid(), recorded.stringPropertyNames()));
        layer(byPid, overlay.byPid(), dynamic.stringPropertyNames())
                .forEach((pid, keys) -> layeredOnly.computeIfAbsent(pid, p -> new TreeSet<>()).addAll(keys));
        layeredOnly.forEach((pid, keys) -> dropped.getOrDefault(pid, new TreeSet<>()).removeAll(keys));
        try {
            for (Map.Entry<String, Map<String, Object>> pid : byPid.entrySet()) {
                configurations.put(pid.getKey(), pid.getValue());
            }
            for (Map.Entry<String, Set<String>> pid : dropped.entrySet()) {
                pid.getValue().removeIf(key -> byPid.getOrDefault(pid.getKey(), Map.of()).containsKey(key));
                if (!pid.getValue().isEmpty()) {
                    configurations.remove(pid.getKey(), pid.getValue());
                }
            }
        } catch (IOException e) {
            refuseToStart("cannot store the configuration from " + source + ": " + e);
            return false;
        }
        lastWritten = texts(byPid);
        unchanged = texts(result.byPid());
        LOG.debug("Configuration from {} applied to {}", source, byPid.keySet());
        return true;
    }

    /**
     * Lays the explicitly set keys of {@code layer} over {@code byPid} (a path default the mapping
     * adds is no explicit key: the lower layer's own is in force).
     *
     * @return by PID, the keys the layer added that {@code byPid} did not have
     */
    static Map<String, Set<String>> layer(Map<String, Map<String, Object>> byPid, Map<String, Map<String, Object>> layer,
            Set<String> explicitKeys) {
        Map<String, Set<String>> added = new HashMap<>();
        layer.forEach((pid, values) -> values.forEach((key, value) -> {
            if (!explicitKeys.contains(key)) {
                return;
            }
            if (byPid.computeIfAbsent(pid, p -> new LinkedHashMap<>()).put(key, value) == null) {
                added.computeIfAbsent(pid, p -> new TreeSet<>()).add(key);
            }
        }));
        return added;
    }

    private static Map<String, Map<String, String>> texts(Map<String, Map<String, Object>> byPid) {
        Map<String, Map<String, String>> texts = new HashMap<>();
        byPid.forEach((pid, values) -> {
            Map<String, String> text = new HashMap<>();
            values.forEach((key, value) -> text.put(key, ConsoleConfigChanges.text(value)));
            texts.put(pid, text);
        });
        return texts;
    }

    /**
     * The broker published new dynamic values: lay them over server.properties. Any other
     * configuration of a mapped PID: record what the operator changed in it.
     */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!DYNAMIC_PID.equals(event.getPid())) {
            if (event.getFactoryPid() == null && event.getType() != ConfigurationEvent.CM_LOCATION_CHANGED) {
                recordOperatorChanges(event.getPid(), event.getType() == ConfigurationEvent.CM_DELETED);
            }
            return;
        }
        Properties next = new Properties();
        try {
            Configuration config = configAdmin.getConfiguration(DYNAMIC_PID, "?");
            Dictionary<String, Object> values = config.getProperties();
            if (values != null && event.getType() != ConfigurationEvent.CM_DELETED) {
                for (String key : Collections.list(values.keys())) {
                    if (!ConfigKeyCatalogue.isComponentProperty(key)) {
                        next.setProperty(key, String.valueOf(values.get(key)));
                    }
                }
            }
        } catch (IOException e) {
            LOG.error("Cannot read the dynamic broker configuration", e);
            return;
        }
        synchronized (this) {
            dynamic = next;
        }
        LOG.info("Dynamic broker configuration {} applied over {}", next.isEmpty() ? "(none)" : new TreeMap<>(next), source);
        apply();
    }

    /**
     * Compares a mapped configuration with what was last written into it and records the
     * operator's changes. A deleted configuration, or a key the platform wrote and someone
     * removed, falls back to server.properties: its values are written again.
     */
    private void recordOperatorChanges(String pid, boolean deleted) {
        Map<String, String> current = new HashMap<>();
        if (!deleted) {
            Dictionary<String, Object> values;
            try {
                Configuration[] found = configAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
                values = found == null ? null : found[0].getProperties();
            } catch (IOException | InvalidSyntaxException e) {
                LOG.error("Cannot read configuration {} to record the operator's changes to it", pid, e);
                return;
            }
            if (values == null || values.get(FILEINSTALL_FILE) != null) {
                // FileInstall applies its file again at every start: nothing to record
                return;
            }
            for (String key : Collections.list(values.keys())) {
                current.put(key, ConsoleConfigChanges.text(values.get(key)));
            }
        }
        synchronized (this) {
            if (refused) {
                return;
            }
            List<OwnedKey> owned = ConfigKeyCatalogue.read(metaTypes, context.getBundles()).keys().stream()
                    .filter(k -> k.pid().equals(pid)).toList();
            if (owned.isEmpty()) {
                return;
            }
            List<String> keys = owned.stream().map(OwnedKey::key).toList();
            ConsoleConfigChanges.Observation observed;
            if (deleted) {
                observed = new ConsoleConfigChanges.Observation(Set.of(), consoleChanges.drop(keys), true);
                LOG.info("Configuration {} deleted: its keys are back to their server.properties values or defaults{}", pid,
                        observed.dropped().isEmpty() ? "" : "; no longer kept in " + consoleChanges.file() + ": "
                                + String.join(", ", observed.dropped()));
            } else {
                Map<String, String> fallback = new HashMap<>();
                for (OwnedKey key : owned) {
                    String value = unchanged.getOrDefault(pid, Map.of()).get(key.key());
                    if (value == null) {
                        value = featureDefaults.getOrDefault(pid, Map.of()).get(key.key());
                    }
                    fallback.put(key.key(), value != null ? value : defaultText(key));
                }
                observed = consoleChanges.observe(current, lastWritten.getOrDefault(pid, Map.of()), fallback, keys);
                logObserved(pid, observed);
            }
            if (observed.recordChanged()) {
                try {
                    consoleChanges.write();
                } catch (IOException e) {
                    LOG.error("Cannot record the change to {} in {}: {}; it is in force until the broker restarts "
                            + "(check that the data directory is writable)", pid, consoleChanges.file(), e.toString());
                }
            }
            if (observed.recordChanged() || observed.removedOurs()) {
                apply();
            }
        }
    }

    private void logObserved(String pid, ConsoleConfigChanges.Observation observed) {
        Properties recorded = consoleChanges.values();
        for (String key : observed.recorded()) {
            if (dynamic.containsKey(key)) {
                LOG.warn("{} changed in {} is overridden by the dynamic broker configuration (kafka-configs) value {}; "
                        + "it takes effect once kafka-configs.sh --alter --delete-config {} removes that", key, pid,
                        dynamic.getProperty(key), key);
            }
        }
        if (!observed.recorded().isEmpty()) {
            LOG.info("Configuration {} changed by the operator: {} kept in {} for later starts", pid,
                    observed.recorded().stream().map(k -> k + "=" + recorded.getProperty(k)).toList(), consoleChanges.file());
        }
        if (!observed.dropped().isEmpty()) {
            LOG.info("Configuration {}: {} back to the server.properties value or default, no longer kept in {}", pid,
                    observed.dropped(), consoleChanges.file());
        }
    }

    /**
     * A feature wrote these defaults into its PID (they go under server.properties): a key at one
     * of them is no operator change.
     */
    synchronized void noteFeatureDefaults(String pid, Map<String, ?> values) {
        Map<String, String> texts = featureDefaults.computeIfAbsent(pid, p -> new HashMap<>());
        values.forEach((key, value) -> texts.put(key, ConsoleConfigChanges.text(value)));
    }

    /** The metatype default as the mapping would write it; null when there is none. */
    private String defaultText(OwnedKey key) {
        if (key.defaultValue() == null || ServerPropertiesMapping.isPathKey(key.key())) {
            return key.defaultValue();
        }
        try {
            return ConsoleConfigChanges.text(ServerPropertiesMapping.convert(key, key.defaultValue(), workDir));
        } catch (IllegalArgumentException e) {
            return key.defaultValue();
        }
    }

    /** Logs, by name, the keys no installed bundle owns: called once the start features are installed. */
    synchronized void reportUnowned() {
        ConfigKeyCatalogue catalogue = ConfigKeyCatalogue.read(metaTypes, context.getBundles());
        ServerPropertiesMapping.Result result = ServerPropertiesMapping.map(properties, catalogue, workDir, dataDir);
        if (!result.unknownKeys().isEmpty()) {
            LOG.warn("{}: unknown keys, ignored: {}", source, String.join(", ", result.unknownKeys()));
        }
        if (!result.unsupportedKeys().isEmpty()) {
            LOG.info("{}: Apache Kafka settings Samsa does not support, ignored: {}", source,
                    String.join(", ", result.unsupportedKeys()));
        }
        LOG.info("Configuration from {} applied to {}", source, result.byPid().keySet());
        if (!consoleChanges.isEmpty()) {
            ServerPropertiesMapping.Result changes = ServerPropertiesMapping.map(consoleChanges.values(), catalogue, workDir,
                    dataDir);
            List<String> waiting = new ArrayList<>(changes.unknownKeys());
            waiting.addAll(changes.unsupportedKeys());
            LOG.info("Kept from earlier changes in the web console or Gogo ({}): {}{}; to drop one, delete its configuration "
                    + "in the web console, set the key back to its server.properties value, or remove its line from that "
                    + "file while the broker is stopped", consoleChanges.file(), new TreeMap<>(consoleChanges.values()),
                    waiting.isEmpty() ? "" : " (not applied until a bundle declaring them is installed: "
                            + String.join(", ", waiting) + ")");
        }
    }

    private void refuseToStart(String problem) {
        refused = true;
        LOG.error("{}; stopping", problem);
        System.err.println("samsa: " + problem);
        System.setProperty(EXIT_STATUS_PROPERTY, "2");
        try {
            // the system bundle stops asynchronously, so stopping it from here cannot deadlock
            context.getBundle(0).stop();
        } catch (BundleException e) {
            LOG.error("Cannot stop the framework", e);
        }
    }
}
