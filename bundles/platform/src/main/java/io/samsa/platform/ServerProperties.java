package io.samsa.platform;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.ConfigurationAdmin;
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
 * <p>An invalid value stops the framework: a broker must not join a cluster with, say, a default
 * broker.id because its configured one did not parse.
 */
@Component(service = ServerProperties.class, immediate = true)
public class ServerProperties {
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
    private boolean refused;

    @Activate
    public ServerProperties(BundleContext context, @Reference ConfigurationAdmin configAdmin,
            @Reference MetaTypeService metaTypes) {
        this.context = context;
        this.metaTypes = metaTypes;
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
        try {
            for (Map.Entry<String, Map<String, Object>> pid : result.byPid().entrySet()) {
                configurations.put(pid.getKey(), pid.getValue());
            }
        } catch (IOException e) {
            refuseToStart("cannot store the configuration from " + source + ": " + e);
            return false;
        }
        LOG.debug("Configuration from {} applied to {}", source, result.byPid().keySet());
        return true;
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
