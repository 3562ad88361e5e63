package io.samsa.platform;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
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
 * <p>Over server.properties it lays the broker's dynamic configuration (Kafka's
 * {@code /config/brokers/<default>} and {@code /config/brokers/<id>}, which the broker publishes
 * as the configuration {@value #DYNAMIC_PID}): precedence, lowest first, is the metatype default,
 * server.properties, the dynamic values. A key dropped from the dynamic values goes back to its
 * server.properties value, or to its default.
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
    /** The keys the dynamic values set that server.properties does not, by PID: removed when dropped. */
    private final Map<String, Set<String>> dynamicOnly = new HashMap<>();

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
        ServerPropertiesMapping.Result overlay = ServerPropertiesMapping.map(dynamic, catalogue, workDir, dataDir);
        if (!overlay.errors().isEmpty()) {
            LOG.error("Dynamic broker configuration: invalid values, not applied: {}", String.join("; ", overlay.errors()));
        }
        Map<String, Map<String, Object>> byPid = new TreeMap<>();
        result.byPid().forEach((pid, values) -> byPid.put(pid, new LinkedHashMap<>(values)));
        Map<String, Set<String>> dropped = new HashMap<>();
        dynamicOnly.forEach((pid, keys) -> dropped.put(pid, new TreeSet<>(keys)));
        dynamicOnly.clear();
        overlay.byPid().forEach((pid, values) -> values.forEach((key, value) -> {
            if (!dynamic.containsKey(key)) {
                return; // a path default the mapping adds: server.properties' own is in force
            }
            Object previous = byPid.computeIfAbsent(pid, p -> new LinkedHashMap<>()).put(key, value);
            if (previous == null) {
                dynamicOnly.computeIfAbsent(pid, p -> new TreeSet<>()).add(key);
            }
            dropped.getOrDefault(pid, new TreeSet<>()).remove(key);
        }));
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
        LOG.debug("Configuration from {} applied to {}", source, byPid.keySet());
        return true;
    }

    /** The broker published new dynamic values: lay them over server.properties. */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!DYNAMIC_PID.equals(event.getPid())) {
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

    /** Logs, by name, the keys no installed bundle owns: called once the start features are installed. */
    synchronized void reportUnowned() {
        ServerPropertiesMapping.Result result = ServerPropertiesMapping.map(properties,
                ConfigKeyCatalogue.read(metaTypes, context.getBundles()), workDir, dataDir);
        if (!result.unknownKeys().isEmpty()) {
            LOG.warn("{}: unknown keys, ignored: {}", source, String.join(", ", result.unknownKeys()));
        }
        if (!result.unsupportedKeys().isEmpty()) {
            LOG.info("{}: Apache Kafka settings Samsa does not support, ignored: {}", source,
                    String.join(", ", result.unsupportedKeys()));
        }
        LOG.info("Configuration from {} applied to {}", source, result.byPid().keySet());
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
