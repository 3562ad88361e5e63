package io.samsa.platform;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and removes features: the JSON descriptors in {@code <samsa.home>/features}, read
 * through the OSGi Feature Service. At start it installs the features named by the framework
 * property {@code samsa.features}. The operator's server.properties is applied to a feature's
 * bundles between their install and their start ({@link ServerProperties}).
 *
 * <p>All installs and removals run one at a time on one thread: a feature's bundles are started
 * outside the DS activation that asked for them, and a shell command cannot interleave with
 * the start-up installs.
 */
@Component(service = FeatureInstaller.class, immediate = true)
public class FeatureInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureInstaller.class);
    private static final Pattern FEATURE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    /** A feature in the features folder and whether it is installed. */
    public record FeatureStatus(String name, boolean installed, String title) { }

    private final Path featuresDir;
    private final FeatureService featureService;
    private final FeatureBundles bundles;
    private final ConfigurationValues configurations;
    private final ServerProperties serverProperties;
    private final InstalledFeatures installed = new InstalledFeatures();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "samsa-feature-installer"));
    private final String webConsoleNotice;
    private boolean webConsoleNoticeLogged;

    @Activate
    public FeatureInstaller(BundleContext context, @Reference FeatureService featureService,
            @Reference ConfigurationAdmin configAdmin, @Reference ServerProperties serverProperties) {
        Path home = Paths.get(property(context, "samsa.home", System.getProperty("user.dir"))).toAbsolutePath();
        this.featuresDir = Paths.get(property(context, "samsa.features.dir", home.resolve("features").toString()));
        this.featureService = featureService;
        this.bundles = new FeatureBundles(context, new BundleFiles(home.resolve("bundles")));
        this.configurations = new ConfigurationValues(configAdmin);
        this.serverProperties = serverProperties;
        this.webConsoleNotice = context.getProperty("samsa.webconsole.notice");
        String startFeatures = property(context, "samsa.features", "");
        worker.execute(() -> installAtStart(startFeatures));
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(30, TimeUnit.SECONDS);
    }

    /** The features available in the features folder, sorted by name. */
    public List<FeatureStatus> features() throws Exception {
        return onWorker(() -> {
            Map<String, FeatureStatus> byName = new TreeMap<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(featuresDir, "*.json")) {
                for (Path file : files) {
                    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                    String title;
                    try {
                        title = read(name).getName().orElse("");
                    } catch (IOException | RuntimeException e) {
                        title = "unreadable: " + e.getMessage();
                    }
                    byName.put(name, new FeatureStatus(name, installed.contains(name), title));
                }
            }
            for (String name : installed.names()) {
                byName.putIfAbsent(name, new FeatureStatus(name, true, "(descriptor gone)"));
            }
            return new ArrayList<>(byName.values());
        });
    }

    /** Installs a feature and starts its bundles; returns a one-line summary. */
    public String install(String name) throws Exception {
        return onWorker(() -> doInstall(name));
    }

    /** Removes a feature: uninstalls the bundles no other installed feature lists. */
    public String remove(String name) throws Exception {
        return onWorker(() -> doRemove(name));
    }

    private void installAtStart(String names) {
        if (!serverProperties.apply()) {
            return;
        }
        for (String name : names.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            try {
                LOG.info(doInstall(name.trim()));
            } catch (Exception e) {
                LOG.error("Feature {} not installed: {}", name.trim(), e.getMessage(), e);
            }
        }
        serverProperties.reportUnowned();
    }

    private String doInstall(String name) throws Exception {
        if (installed.contains(name)) {
            return "Feature " + name + " is already installed";
        }
        Feature feature = read(name);
        FeatureBundles.Outcome outcome = bundles.install(feature.getBundles());
        // configuration before start: components activate once, with the right values
        List<String> configured = applyConfigurations(feature);
        if (!serverProperties.apply()) {
            return "Feature " + name + " installed but not started: the configuration was refused (see the log)";
        }
        List<String> failures = new ArrayList<>(outcome.failures());
        failures.addAll(bundles.start(outcome.bundles()));
        installed.add(name, outcome.locations());
        List<String> restarted = bundles.restartStoppedByRemoval();
        if (!restarted.isEmpty()) {
            LOG.info("Started again with feature {}: {}", name, restarted);
        }
        for (String failure : failures) {
            LOG.error("Feature {}: {}", name, failure);
        }
        if (webConsoleNotice != null && !webConsoleNoticeLogged && outcome.containsSymbolicName("org.apache.felix.webconsole")) {
            // once: at the first start it carries the generated password
            LOG.info(webConsoleNotice);
            webConsoleNoticeLogged = true;
        }
        return "Feature " + name + " installed: " + outcome.bundles().size() + " bundles"
                + (configured.isEmpty() ? "" : ", defaults for " + configured)
                + (failures.isEmpty() ? "" : ", " + failures.size() + " problems (see log): " + failures.get(0));
    }

    private List<String> applyConfigurations(Feature feature) throws IOException {
        List<String> configured = new ArrayList<>();
        for (var config : feature.getConfigurations().values()) {
            List<String> added = configurations.addMissing(config.getPid(), config.getFactoryPid().orElse(null), config.getValues());
            if (config.getFactoryPid().isEmpty()) {
                serverProperties.noteFeatureDefaults(config.getPid(), config.getValues());
            }
            if (!added.isEmpty()) {
                configured.add(config.getPid());
            }
        }
        return configured;
    }

    private String doRemove(String name) throws Exception {
        if (name.equals("platform")) {
            throw new IllegalArgumentException("the platform feature cannot be removed from a running Samsa");
        }
        if (!installed.contains(name)) {
            throw new IllegalArgumentException("feature " + name + " is not installed; installed: " + installed.names());
        }
        List<String> unused = installed.remove(name);
        List<String> failures = bundles.uninstall(unused);
        for (String failure : failures) {
            LOG.error("Feature {}: {}", name, failure);
        }
        return "Feature " + name + " removed: " + unused.size() + " bundles uninstalled"
                + (failures.isEmpty() ? "" : ", " + failures.size() + " problems (see log)");
    }

    private Feature read(String name) throws IOException {
        if (!FEATURE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a feature name: '" + name + "'");
        }
        Path file = featuresDir.resolve(name + ".json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no feature " + name + " (" + file + " does not exist); available: " + available());
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return featureService.readFeature(reader);
        }
    }

    private List<String> available() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(featuresDir, "*.json")) {
            files.forEach(f -> names.add(f.getFileName().toString().replaceFirst("\\.json$", "")));
        }
        Collections.sort(names);
        return names;
    }

    private <T> T onWorker(Callable<T> task) throws Exception {
        try {
            return worker.submit(task).get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("still running after " + COMMAND_TIMEOUT_SECONDS + " s; see the log");
        }
    }

    private static String property(BundleContext context, String key, String fallback) {
        String value = context.getProperty(key);
        return value == null || value.isBlank() ? fallback : value;
    }
}
