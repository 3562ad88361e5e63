package io.samsa.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.logging.LogManager;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts Samsa: embeds the Felix framework, installs the platform feature's bundles at their
 * start levels (the platform bundle then installs the other features), and on SIGTERM or
 * Ctrl-C stops the framework cleanly (components deactivated, ports released, log closed)
 * before the JVM exits with status 0.
 *
 * <p>Usage: {@code java -jar lib/samsa-launcher.jar [--shell] [server.properties]}.
 */
public final class Launcher {
    private static final int KEEP_LOGS = 5;
    private static final long FRAMEWORK_TIMEOUT_MS = 60_000;

    private final LaunchConfig config;
    private final PrintStream out;
    private volatile Framework framework;
    /** Set when the JVM is exiting; a framework stop is then final, not a restart. */
    private volatile boolean exiting;
    private volatile boolean signalled;

    Launcher(LaunchConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println("usage: broker [--shell] [server.properties]\n"
                    + "  --shell  an interactive Gogo shell on this terminal (exit or Ctrl-D stops Samsa)\n"
                    + "  JVM options: SAMSA_OPTS; data directory: samsa.data.dir in server.properties (default ./data)");
            return;
        }
        int status;
        try {
            LaunchConfig config = LaunchConfig.from(List.of(args), home(), Paths.get(System.getProperty("user.dir")));
            status = new Launcher(config, System.out).run();
        } catch (IllegalArgumentException | IOException | BundleException e) {
            System.err.println("samsa: " + e.getMessage());
            status = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 1;
        }
        System.exit(status);
    }

    int run() throws IOException, BundleException, InterruptedException {
        config.systemProperties.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
        configureJavaLogging();
        Path log = Paths.get(System.getProperty(LaunchConfig.SIMPLE_LOGGER_PREFIX + "logFile"));
        LogFiles.rotate(log, KEEP_LOGS);
        List<FeatureBundleList.Entry> platform = FeatureBundleList.read(config.featureFile("platform"), config.bundlesDir());

        out.println("Samsa " + version() + " starting: runtime " + config.home + ", data " + config.shown(config.dataDir)
                + ", log " + config.shown(log));
        if (config.features.contains("webconsole")) {
            out.println(config.webConsoleNotice());
            if (config.credentials.generatedPassword() != null) {
                out.println("Generated web console password: " + config.credentials.generatedPassword());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnSignal, "samsa-shutdown"));

        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config.frameworkProperties);
        framework.init();
        install(framework.getBundleContext(), platform);
        framework.start();
        out.println("Samsa started; features " + String.join(", ", config.features) + " are being installed (see the log)");
        FrameworkEvent event = framework.waitForStop(0);
        while (!exiting && (event.getType() == FrameworkEvent.STOPPED_UPDATE
                || event.getType() == FrameworkEvent.STOPPED_SYSTEM_REFRESHED)) {
            // Felix restarts itself, same instance and bundle cache, on another thread
            out.println("Samsa restarting");
            if (!awaitActive(framework)) {
                System.err.println("samsa: the framework did not come back after a restart");
                return 1;
            }
            out.println("Samsa restarted");
            event = framework.waitForStop(0);
        }

        exiting = true;
        if (!signalled) {
            out.println("Samsa stopped");
        }
        return Integer.getInteger("samsa.exit.status", event.getType() == FrameworkEvent.ERROR ? 1 : 0);
    }

    private static boolean awaitActive(Framework framework) throws InterruptedException {
        long deadline = System.nanoTime() + FRAMEWORK_TIMEOUT_MS * 1_000_000;
        while (framework.getState() != Bundle.ACTIVE) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /**
     * Installs the platform feature. SPI Fly and ASM start at level 1 and SLF4J at level 2: a
     * bundle that logs before SPI Fly has registered the SLF4J provider binds SLF4J's no-op
     * logger for the life of the VM.
     */
    private void install(BundleContext context, List<FeatureBundleList.Entry> bundles) throws BundleException {
        for (FeatureBundleList.Entry entry : bundles) {
            if (!Files.isRegularFile(entry.jar())) {
                throw new BundleException("platform bundle " + entry.id() + " is missing: " + entry.jar() + " does not exist");
            }
            Bundle bundle = context.installBundle(entry.location());
            if (entry.startLevel() > 0) {
                bundle.adapt(BundleStartLevel.class).setStartLevel(entry.startLevel());
            }
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start(Bundle.START_ACTIVATION_POLICY);
            }
        }
    }

    /** SPI Fly reports every provider it registers through java.util.logging, on stderr. */
    private void configureJavaLogging() throws IOException {
        Path file = config.home.resolve("conf").resolve("logging.properties");
        if (System.getProperty("java.util.logging.config.file") == null && Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                LogManager.getLogManager().readConfiguration(in);
            }
        }
    }

    /** Runs in the shutdown hook: on SIGTERM, SIGINT, or any System.exit. */
    private void stopOnSignal() {
        if (exiting) {
            return;
        }
        signalled = true;
        exiting = true;
        Framework current = framework;
        int status = 0;
        if (current != null) {
            out.println("Samsa stopping");
            try {
                current.stop();
                if (current.waitForStop(FRAMEWORK_TIMEOUT_MS).getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                    System.err.println("samsa: the framework did not stop within " + FRAMEWORK_TIMEOUT_MS / 1000 + " s");
                    status = 1;
                }
            } catch (BundleException | InterruptedException e) {
                System.err.println("samsa: stopping failed: " + e);
                status = 1;
            }
        }
        out.println("Samsa stopped");
        out.flush();
        System.err.flush();
        // the JVM would report a signal death (143, 130); a clean stop is a success
        Runtime.getRuntime().halt(status);
    }

    private static Path home() {
        String home = System.getProperty("samsa.home");
        if (home != null) {
            return Paths.get(home).toAbsolutePath().normalize();
        }
        try {
            Path jar = Paths.get(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the launcher jar", e);
        }
    }

    private static String version() {
        String version = Launcher.class.getPackage().getImplementationVersion();
        return version == null ? "(development)" : version;
    }
}
