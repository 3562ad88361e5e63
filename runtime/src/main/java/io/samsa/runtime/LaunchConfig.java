package io.samsa.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything the launcher decides before the framework exists: where the runtime and the data
 * live, the framework properties, and the system properties of slf4j-simple (which reads only
 * system properties).
 *
 * <p>Sources, later ones winning: {@code <home>/conf/runtime.properties}, then the few keys of
 * the operator's server.properties that must be known before the framework starts
 * ({@code samsa.data.dir}, {@code http.port}, {@code samsa.features} and the web console
 * credentials). The rest of server.properties is applied by the platform bundle through Config
 * Admin.
 */
final class LaunchConfig {
    static final String SIMPLE_LOGGER_PREFIX = "org.slf4j.simpleLogger.";

    final Path home;
    final Path workDir;
    final Path dataDir;
    final Path serverProperties;
    final boolean shell;
    final int httpPort;
    final List<String> features;
    final WebConsoleCredentials credentials;
    final Map<String, String> frameworkProperties = new LinkedHashMap<>();
    final Map<String, String> systemProperties = new LinkedHashMap<>();

    private LaunchConfig(Path home, Path workDir, Path serverProperties, boolean shell, Properties runtime, Properties server)
            throws IOException {
        this.home = home;
        this.workDir = workDir;
        this.serverProperties = serverProperties;
        this.shell = shell;
        this.dataDir = workDir.resolve(setting(server, runtime, "samsa.data.dir", "data")).normalize();
        this.httpPort = port(setting(server, runtime, "http.port", runtime.getProperty("org.osgi.service.http.port", "8080")));
        this.features = List.of(setting(server, runtime, "samsa.features", "").split("\\s*,\\s*"));

        for (String key : runtime.stringPropertyNames()) {
            String value = runtime.getProperty(key).replace("${samsa.home}", home.toString()).replace("${samsa.data.dir}", dataDir.toString());
            (key.startsWith(SIMPLE_LOGGER_PREFIX) ? systemProperties : frameworkProperties).put(key, value);
        }
        systemProperties.put(SIMPLE_LOGGER_PREFIX + "logFile", logFile().toString());

        Map<String, String> fw = frameworkProperties;
        fw.put("samsa.home", home.toString());
        fw.put("samsa.data.dir", dataDir.toString());
        fw.put("samsa.features", String.join(",", features));
        if (serverProperties != null) {
            fw.put("samsa.server.properties", serverProperties.toString());
        }
        fw.put("org.osgi.framework.storage", dataDir.resolve("felix-cache").toString());
        fw.put("org.osgi.framework.storage.clean", "onFirstInit");
        fw.put("felix.fileinstall.dir", loadDir().toString());
        fw.putIfAbsent("felix.fileinstall.poll", "1000");
        fw.put("org.osgi.service.http.port", Integer.toString(httpPort));
        fw.putIfAbsent("org.apache.felix.http.host", "127.0.0.1");
        fw.put("gosh.args", shell ? "" : "--nointeractive");

        this.credentials = WebConsoleCredentials.resolve(server, createDirectories());
        fw.put("felix.webconsole.username", credentials.username());
        fw.put("felix.webconsole.password", credentials.passwordHash());
        fw.put("samsa.webconsole.notice", webConsoleLogNotice());
    }

    /**
     * @param args {@code [--shell] [server.properties]}
     * @param home the runtime folder (with lib/, bundles/, features/, conf/)
     * @param workDir the directory relative paths are resolved against
     */
    static LaunchConfig from(List<String> args, Path home, Path workDir) throws IOException {
        boolean shell = false;
        Path serverProperties = null;
        for (String arg : args) {
            if (arg.equals("--shell")) {
                shell = true;
            } else if (arg.startsWith("-")) {
                throw new IllegalArgumentException("unknown option " + arg);
            } else if (serverProperties != null) {
                throw new IllegalArgumentException("more than one server.properties given: " + serverProperties + ", " + arg);
            } else {
                serverProperties = workDir.resolve(arg).normalize();
                if (!Files.isRegularFile(serverProperties)) {
                    throw new IllegalArgumentException("server properties file " + serverProperties + " does not exist");
                }
            }
        }
        Properties runtime = load(home.resolve("conf").resolve("runtime.properties"));
        Properties server = serverProperties == null ? new Properties() : load(serverProperties);
        return new LaunchConfig(home, workDir, serverProperties, shell, runtime, server);
    }

    Path logFile() {
        return dataDir.resolve("logs").resolve("samsa.log");
    }

    Path loadDir() {
        return dataDir.resolve("load");
    }

    Path bundlesDir() {
        return home.resolve("bundles");
    }

    Path featureFile(String name) {
        return home.resolve("features").resolve(name + ".json");
    }

    /** A path as the operator would type it: relative when under the working directory. */
    String shown(Path path) {
        return path.startsWith(workDir) && !path.equals(workDir) ? workDir.relativize(path).toString() : path.toString();
    }

    String webConsoleNotice() {
        String where = credentials.passwordFile() == null
                ? "password set in " + shown(serverProperties)
                : "password in " + shown(credentials.passwordFile());
        return "Web console: http://127.0.0.1:" + httpPort + "/system/console (user " + credentials.username() + ", " + where + ")";
    }

    /** The notice for the log: at the start that generated the password, the password too. */
    String webConsoleLogNotice() {
        String generated = credentials.generatedPassword();
        return generated == null ? webConsoleNotice() : webConsoleNotice() + "; generated password: " + generated;
    }

    private Path createDirectories() throws IOException {
        Files.createDirectories(dataDir);
        Files.createDirectories(loadDir());
        Files.createDirectories(logFile().getParent());
        return dataDir;
    }

    private static String setting(Properties server, Properties runtime, String key, String fallback) {
        String value = server.getProperty(key);
        if (value == null || value.isBlank()) {
            value = runtime.getProperty(key);
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("http.port=" + text + ": not a port number (0-65535)");
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        }
        return properties;
    }
}
