package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The assembled runtime as an operator meets it: the web console behind a generated password,
 * features removed and installed again from the Gogo shell while the broker runs, and a clean
 * exit on SIGTERM.
 */
public class RuntimeIT {

    private static SamsaProcess samsa;
    private static String password;

    @BeforeClass
    public static void startBroker() throws Exception {
        samsa = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-runtime"), Map.of()).start(true);
        password = Files.readString(samsa.dataDir.resolve("webconsole.password")).trim();
        KafkaClients.waitUntil("the web console to answer", Duration.ofSeconds(60),
                () -> status("/system/console/bundles", "admin", password) == 200);
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (samsa != null) {
            samsa.close();
        }
    }

    @Test
    public void webConsoleNeedsTheGeneratedPassword() throws Exception {
        assertTrue("a password was generated", password.length() >= 12);
        assertEquals(401, status("/system/console/bundles", null, null));
        assertEquals("no well-known password", 401, status("/system/console/bundles", "admin", "admin"));
        for (String page : new String[] {"/system/console/bundles", "/system/console/components",
                "/system/console/configMgr"}) {
            assertEquals(page, 200, status(page, "admin", password));
        }
        String bundles = get("/system/console/bundles.json", "admin", password);
        assertTrue("every bundle is active: " + bundles, bundles.contains("\"io.samsa.broker\""));
        assertTrue(bundles, !bundles.contains("\"state\":\"Installed\"") && !bundles.contains("\"state\":\"Resolved\""));
        String components = get("/system/console/components.json", "admin", password);
        assertTrue(components, components.contains("io.samsa.broker"));
        assertTrue(components, !components.contains("unsatisfied"));
    }

    @Test
    public void featureRemovedAndInstalledWhileRunning() throws Exception {
        samsa.shell("samsa:feature-remove webconsole");
        KafkaClients.waitUntil("the web console to go away", Duration.ofSeconds(60),
                () -> status("/system/console/bundles", "admin", password) == -1);
        KafkaClients.createTopic(samsa.bootstrap(), "still-serving", 1);

        samsa.shell("samsa:feature-install webconsole");
        KafkaClients.waitUntil("the web console to come back", Duration.ofSeconds(60),
                () -> status("/system/console/bundles", "admin", password) == 200);
        // the Kafka pages (feature webconsole-kafka) stopped with the console they need, and start again with it
        KafkaClients.waitUntil("the console's Topics page to come back", Duration.ofSeconds(60),
                () -> {
                    try {
                        return get("/system/console/samsa-topics", "admin", password).contains("id=\"topic-count\"");
                    } catch (IOException | AssertionError e) {
                        return false;
                    }
                });
        samsa.shell("samsa:features");
        KafkaClients.waitUntil("the feature list to show webconsole installed", Duration.ofSeconds(30),
                () -> samsa.outputLines().stream().anyMatch(l -> l.matches("(g! )?webconsole\\s+installed.*")));
    }

    /**
     * The storage engine swapped by the operator's other ways: installing (and removing) the mmap
     * feature from the shell, dropping the mmap bundle into the hot-deploy folder, the Gogo
     * samsa:storage command, a storage configuration file in the hot-deploy folder and the web
     * console's Configuration page. The data
     * written before each swap stays readable after it.
     */
    @Test
    public void storageEngineSwappedByFeatureAndByHotDeploy() throws Exception {
        String topic = "swapped-at-runtime";
        KafkaClients.createTopic(samsa.bootstrap(), topic, 2);
        produce(topic, "on-filechannel");

        samsa.shell("samsa:feature-install storage-mmap");
        awaitLog("Storage engine now mmap (was filechannel)", 1);
        produce(topic, "on-mmap");

        samsa.shell("samsa:feature-remove storage-mmap");
        awaitLog("Storage engine now filechannel (was mmap)", 1);
        produce(topic, "back-on-filechannel");

        java.nio.file.Path load = samsa.dataDir.resolve("load");
        java.nio.file.Files.copy(SamsaProcess.HOME.resolve("bundles/storage-mmap-0.1.0-SNAPSHOT.jar"),
                load.resolve("storage-mmap.jar"));
        awaitLog("Storage engine now mmap (was filechannel)", 2);
        produce(topic, "hot-deployed-mmap");

        // And through the storage target, from the shell.
        samsa.shell("samsa:storage filechannel");
        awaitLog("Storage engine now filechannel (was mmap)", 2);
        samsa.shell("samsa:storage");
        KafkaClients.waitUntil("samsa:storage to report the engine in use", Duration.ofSeconds(30),
                () -> samsa.outputLines().stream().anyMatch(l -> l.contains("in use: filechannel")));
        samsa.shell("samsa:storage any");
        awaitLog("Storage engine now mmap (was filechannel)", 3);

        // And by a configuration file in the hot-deploy folder, which replaces its whole PID: the
        // storage choice has a PID of its own, so the broker keeps its listeners and log dirs.
        java.nio.file.Path storageCfg = load.resolve("io.samsa.broker.storage.cfg");
        java.nio.file.Files.writeString(storageCfg, "storage.target=(storage.engine=filechannel)\n");
        awaitLog("Storage engine now filechannel (was mmap)", 3);
        produce(topic, "on-filechannel-by-cfg");
        java.nio.file.Files.delete(storageCfg);
        awaitLog("Storage engine now mmap (was filechannel)", 4);

        // And from the web console's Configuration page, submitting its form as a browser does.
        KafkaClients.waitUntil("the web console's Configuration page", Duration.ofSeconds(30),
                () -> status("/system/console/configMgr", "admin", password) == 200);
        WebConsoleClient console = new WebConsoleClient(samsa.httpPort, "admin", password);
        assertEquals("the web console accepts the storage selection", 302,
                console.postForm("/system/console/configMgr/io.samsa.broker.storage", console.ownOrigin(),
                        "apply=true&propertylist=storage.target&storage.target=" + encode("(storage.engine=filechannel)")));
        awaitLog("Storage engine now filechannel (was mmap)", 4);
        produce(topic, "on-filechannel-by-webconsole");
        assertEquals("the broker swapped engines without restarting", 0, countLog("restarting the broker"));

        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> c =
                KafkaClients.consumer(samsa.bootstrap(), "swap-reader", Map.of())) {
            c.subscribe(java.util.List.of(topic));
            java.util.List<String> got = new java.util.ArrayList<>();
            KafkaClients.pollAtLeast(c, 6, Duration.ofSeconds(60)).forEach(r -> got.add(r.value()));
            produce(topic, "after-shell-swaps");
            KafkaClients.pollAtLeast(c, 1, Duration.ofSeconds(60)).forEach(r -> got.add(r.value()));
            got.sort(null);
            assertEquals(java.util.List.of("after-shell-swaps", "back-on-filechannel", "hot-deployed-mmap", "on-filechannel",
                    "on-filechannel-by-cfg", "on-filechannel-by-webconsole", "on-mmap"), got);
        }
    }

    private static void produce(String topic, String value) throws Exception {
        try (org.apache.kafka.clients.producer.KafkaProducer<String, String> p =
                KafkaClients.producer(samsa.bootstrap(), Map.of())) {
            p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, value)).get();
        }
    }

    private static void awaitLog(String line, int times) throws InterruptedException {
        KafkaClients.waitUntil(times + " log line(s) '" + line + "'", Duration.ofSeconds(60), () -> countLog(line) >= times);
    }

    private static long countLog(String text) {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(samsa.dataDir.resolve("logs/samsa.log"))) {
            return lines.filter(l -> l.contains(text)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * A page of another site, opened by the logged-in operator, tries to stop a bundle, install
     * one and change a configuration (allowing itself): each is refused and logged, and nothing
     * changes. The same requests from the console's own pages still work.
     */
    @Test
    public void crossSiteRequestsAreRefused() throws Exception {
        WebConsoleClient console = new WebConsoleClient(samsa.httpPort, "admin", password);
        String evil = "http://evil.example";
        String gogo = "org.apache.felix.gogo.command";
        String stop = "/system/console/bundles/" + bundleId(console, gogo);
        String config = "/system/console/configMgr/" + "io.samsa.webconsole.security";
        String allowOrigin = "apply=true&propertylist=webconsole.allowed.origins&webconsole.allowed.origins=";
        byte[] probe = probeBundle();

        assertEquals("bundle stop", 403, console.postForm(stop, evil, "action=stop"));
        awaitLog("Refused cross-site POST " + stop + " from origin " + evil + " (client 127.0.0.1)", 1);
        assertEquals("bundle install", 403, console.installBundle(evil, "probe.jar", probe));
        awaitLog("Refused cross-site POST /system/console/bundles from origin " + evil, 1);
        assertEquals("configuration change", 403, console.postForm(config, evil, allowOrigin + encode(evil)));
        awaitLog("Refused cross-site POST " + config + " from origin " + evil, 1);
        assertEquals("Referer instead of Origin", 403, console.postForm(stop, null, "action=stop", evil + "/page.html"));
        assertEquals("the bundle still runs", "Active", bundleState(console, gogo));
        assertEquals("nothing installed", "absent", bundleState(console, PROBE));
        assertEquals("the configuration did not allow the attacker", 403, console.postForm(stop, evil, "action=stop"));
        assertEquals("Active", bundleState(console, gogo));

        String own = console.ownOrigin();
        assertTrue("stop from the console", console.postForm(stop, own, "action=stop") < 400);
        KafkaClients.waitUntil("the bundle to stop", Duration.ofSeconds(30), () -> "Resolved".equals(bundleState(console, gogo)));
        assertTrue("start from the console", console.postForm(stop, own, "action=start") < 400);
        KafkaClients.waitUntil("the bundle to start", Duration.ofSeconds(30), () -> "Active".equals(bundleState(console, gogo)));
        assertTrue("a tool without Origin", console.postForm(stop, null, "action=start") < 400);

        assertTrue("install from the console", console.installBundle(own, "probe.jar", probe) < 400);
        KafkaClients.waitUntil("the uploaded bundle to run", Duration.ofSeconds(30), () -> "Active".equals(bundleState(console, PROBE)));
        String probePath = "/system/console/bundles/" + bundleId(console, PROBE);
        assertTrue("uninstall from the console", console.postForm(probePath, own, "action=uninstall") < 400);
        KafkaClients.waitUntil("the uploaded bundle to go", Duration.ofSeconds(30),
                () -> "absent".equals(bundleState(console, PROBE)));

        String friend = "https://friend.example";
        assertEquals(403, console.postForm(stop, friend, "action=start"));
        assertEquals("configured from the console", 302, console.postForm(config, own, allowOrigin + encode(friend)));
        KafkaClients.waitUntil("the configured origin to be allowed", Duration.ofSeconds(30),
                () -> console.postForm(stop, friend, "action=start") < 400);
        assertEquals("deleted from the console", 200, console.postForm(config, own, "apply=true&delete=true"));
        KafkaClients.waitUntil("the default to be back", Duration.ofSeconds(30),
                () -> console.postForm(stop, friend, "action=start") == 403);
    }

    private static final String PROBE = "io.samsa.itest.console-probe";

    /** A bundle with nothing in it but its manifest. */
    private static byte[] probeBundle() throws IOException {
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        java.util.jar.Attributes main = manifest.getMainAttributes();
        main.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", PROBE);
        main.putValue("Bundle-Version", "1.0.0");
        java.io.ByteArrayOutputStream jar = new java.io.ByteArrayOutputStream();
        new java.util.jar.JarOutputStream(jar, manifest).close();
        return jar.toByteArray();
    }

    /** The console's JSON of one bundle, by symbolic name; null when there is none. */
    private static String bundleJson(WebConsoleClient console, String symbolicName) {
        return console.get("/system/console/bundles/" + symbolicName + ".json");
    }

    private static String bundleId(WebConsoleClient console, String symbolicName) {
        String json = bundleJson(console, symbolicName);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(json == null ? "" : json);
        assertTrue("no bundle " + symbolicName + ": " + json, m.find());
        return m.group(1);
    }

    private static String bundleState(WebConsoleClient console, String symbolicName) {
        String json = bundleJson(console, symbolicName);
        if (json == null || !json.contains("\"" + symbolicName + "\"")) {
            return "absent";
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"state\":\"(\\w+)\"").matcher(json);
        return m.find() ? m.group(1) : "unknown";
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Aries JMX publishes the OSGi MBeans on the platform MBeanServer, as JMX tools see it. */
    @Test
    public void osgiMBeansOnThePlatformMBeanServer() throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(samsa.pid()));
        try {
            String address = vm.startLocalManagementAgent();
            try (javax.management.remote.JMXConnector jmx = javax.management.remote.JMXConnectorFactory.connect(
                    new javax.management.remote.JMXServiceURL(address))) {
                javax.management.MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                java.util.Set<javax.management.ObjectName> framework = mbeans.queryNames(
                        new javax.management.ObjectName("osgi.core:type=bundleState,*"), null);
                assertTrue("Aries JMX bundleState MBean: " + framework, !framework.isEmpty());
                long[] ids = (long[]) mbeans.getAttribute(framework.iterator().next(), "BundleIds");
                assertTrue("the MBean lists the bundles: " + ids.length, ids.length > 30);
                assertTrue("the Config Admin MBean", !mbeans.queryNames(
                        new javax.management.ObjectName("osgi.compendium:service=cm,*"), null).isEmpty());
            }
        } finally {
            vm.detach();
        }
    }

    /** The HTTP status of a GET, or -1 when nothing listens. */
    private static int status(String path, String user, String pass) {
        try {
            HttpURLConnection c = open(path, user, pass);
            int code = c.getResponseCode();
            c.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String get(String path, String user, String pass) throws IOException {
        HttpURLConnection c = open(path, user, pass);
        try {
            assertEquals(path, 200, c.getResponseCode());
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    private static HttpURLConnection open(String path, String user, String pass) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + samsa.httpPort + path).openConnection();
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(5_000);
        c.setReadTimeout(30_000);
        if (user != null) {
            c.setRequestProperty("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        }
        return c;
    }
}
