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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the operator's Kafka-style server.properties (framework property
 * {@code samsa.server.properties}) to Config Admin at start, before any feature is installed:
 * the {@link FeatureInstaller} waits for this service, so the broker bundles see the operator's
 * values at their first activation and a feature's defaults never replace them.
 *
 * <p>An invalid value stops the framework: a broker must not join a cluster with, say, a default
 * broker.id because its configured one did not parse. The component still activates (a failed
 * activation would be retried and reported again), but {@link #applied()} is false.
 */
@Component(service = ServerProperties.class, immediate = true)
public class ServerProperties {
    /** The launcher exits with this status when the framework stopped because of bad configuration. */
    static final String EXIT_STATUS_PROPERTY = "samsa.exit.status";

    private static final Logger LOG = LoggerFactory.getLogger(ServerProperties.class);

    private boolean applied;

    @Activate
    public ServerProperties(BundleContext context, @Reference ConfigurationAdmin configAdmin) throws IOException {
        Path workDir = Paths.get(System.getProperty("user.dir"));
        String dataDirProperty = context.getProperty("samsa.data.dir");
        Path dataDir = workDir.resolve(dataDirProperty == null ? "data" : dataDirProperty).normalize();
        String file = context.getProperty("samsa.server.properties");
        Properties properties = new Properties();
        String source = "defaults";
        if (file != null && !file.isBlank()) {
            Path path = workDir.resolve(file);
            source = path.toString();
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                refuseToStart(context, "cannot read server properties " + path + ": " + e);
                return;
            }
        }

        ServerPropertiesMapping.Result result = ServerPropertiesMapping.map(properties, workDir, dataDir);
        if (!result.unknownKeys().isEmpty()) {
            LOG.warn("{}: unknown keys, ignored: {}", source, String.join(", ", result.unknownKeys()));
        }
        if (!result.keysWithoutEffect().isEmpty()) {
            LOG.info("{}: Apache Kafka keys without effect in Samsa: {}", source, String.join(", ", result.keysWithoutEffect()));
        }
        if (!result.errors().isEmpty()) {
            refuseToStart(context, source + ": invalid values: " + String.join("; ", result.errors()));
            return;
        }
        ConfigurationValues values = new ConfigurationValues(configAdmin);
        for (Map.Entry<String, Map<String, Object>> pid : result.byPid().entrySet()) {
            values.put(pid.getKey(), pid.getValue());
        }
        LOG.info("Configuration from {} applied to {}", source, result.byPid().keySet());
        applied = true;
    }

    /** False when the configuration was refused and the framework is stopping: install nothing. */
    boolean applied() {
        return applied;
    }

    private static void refuseToStart(BundleContext context, String problem) {
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
