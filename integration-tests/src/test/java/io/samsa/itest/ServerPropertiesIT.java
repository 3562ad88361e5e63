package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.sun.tools.attach.VirtualMachine;

/**
 * The keys Samsa's bundles claim in their metatype, checked on the assembled runtime: each has
 * one owner, each is Apache Kafka's (the platform's list, itself checked against Kafka's broker
 * configuration definition) or plainly Samsa's own, and a server.properties setting it lands in
 * the owning component's configuration.
 */
public class ServerPropertiesIT {

    /**
     * Keys of Samsa's own: ZooKeeper coordination (Kafka 4 has none), DS reference targets, the
     * launcher's and anything prefixed samsa.
     */
    private static boolean isSamsaKey(String key) {
        return key.startsWith("samsa.") || key.startsWith("zookeeper.") || key.startsWith("webconsole.")
                || key.endsWith(".target") || ZOOKEEPER_MODE_KEYS.contains(key);
    }

    /**
     * Apache Kafka's keys of ZooKeeper mode (Kafka 3.9 and before, the seed's 2.3 included), gone from
     * Kafka 4's list with ZooKeeper itself; Samsa runs that mode and keeps them.
     */
    private static final Set<String> ZOOKEEPER_MODE_KEYS = Set.of("controlled.shutdown.max.retries",
            "controlled.shutdown.retry.backoff.ms", "leader.imbalance.per.broker.percentage");

    /** OSGi's own component properties, e.g. a storage engine's ranking: no server.properties keys. */
    private static boolean isComponentProperty(String key) {
        return key.startsWith("service.") || key.startsWith("component.");
    }

    /**
     * Keys two components read by design (the platform's ConfigKeyCatalogue.READ_BY_SEVERAL): the
     * coordinator connects to zookeeper.connect, the embedded server starts when it is empty.
     * Every other key must have exactly one owner.
     */
    private static final Set<String> READ_BY_SEVERAL = Set.of("zookeeper.connect");

    /**
     * PIDs of components that only optional features install (the Raft coordinator, until a
     * setting chooses it): their keys are checked for ownership above, not for landing in a runtime
     * started with the default features.
     */
    private static final Set<String> OPTIONAL_FEATURE_PIDS = Set.of("io.samsa.coordination.raft");

    record Attribute(String pid, String key, String type, String defaultValue) { }

    @Test
    public void everyClaimedKeyHasOneOwnerAndIsKafkasOrSamsas() throws Exception {
        Map<String, List<Attribute>> all = declaredKeys();
        Map<String, List<Attribute>> claimed = claimedKeys();
        assertTrue("the bundles claim the broker's keys: " + claimed.keySet(),
                claimed.keySet().containsAll(List.of("broker.id", "log.dirs", "min.insync.replicas",
                        "offsets.retention.check.interval.ms", "zookeeper.connect")));
        Set<String> kafka = kafkaBrokerKeys();
        List<String> problems = new ArrayList<>();
        all.forEach((key, owners) -> {
            if (owners.size() > 1 && !READ_BY_SEVERAL.contains(key)) {
                problems.add(key + " has " + owners.size() + " owners: " + owners.stream().map(Attribute::pid).toList());
            }
        });
        claimed.forEach((key, owners) -> {
            if (!kafka.contains(key) && !isSamsaKey(key)) {
                problems.add(key + " (" + owners.get(0).pid() + ") is no Apache Kafka broker key and not one of Samsa's own");
            }
        });
        assertEquals(List.of(), problems);
    }

    @Test
    public void everyClaimedKeyLandsInItsComponent() throws Exception {
        Map<String, List<Attribute>> claimed = claimedKeys();
        assertTrue("the broker, group coordinator, protocol and coordination keys: " + claimed.keySet(), claimed.size() > 35);
        Path data = SamsaOsgiTestSupport.tempDir("samsa-server-properties");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of())) {
            Map<String, String> expected = new TreeMap<>();
            Map<String, String> written = new TreeMap<>();
            for (Map.Entry<String, List<Attribute>> e : claimed.entrySet()) {
                if (OPTIONAL_FEATURE_PIDS.contains(e.getValue().get(0).pid())) {
                    continue; // not installed by the start features: nobody maps its keys here
                }
                String value = testValue(e.getValue().get(0), samsa);
                expected.put(e.getKey(), value);
                written.put(e.getKey(), value);
            }
            written.put("brokerid", "7");
            written.put("num.recovery.threads.per.data.dir", "2");
            samsa.appendProperties(written);
            samsa.start();

            List<String> missing = new ArrayList<>();
            withConfigAdmin(samsa, (mbeans, cm) -> {
                for (Map.Entry<String, List<Attribute>> e : claimed.entrySet()) {
                    if (!expected.containsKey(e.getKey())) {
                        continue;
                    }
                    for (Attribute owner : e.getValue()) {
                        Map<String, String> config = properties(mbeans, cm, owner.pid());
                        String got = config.get(e.getKey());
                        if (!expected.get(e.getKey()).equals(got)) {
                            missing.add(e.getKey() + " in " + owner.pid() + ": " + got + ", expected "
                                    + expected.get(e.getKey()));
                        }
                    }
                }
            });
            assertEquals("every key set in server.properties is in its owner's configuration", List.of(), missing);
            KafkaClients.waitUntil("the typo and the unsupported Kafka key reported by name", Duration.ofSeconds(30),
                    () -> log(data).contains("unknown keys, ignored: brokerid")
                            && log(data).contains("Apache Kafka settings Samsa does not support, ignored: "
                                    + "num.recovery.threads.per.data.dir"));
        }
    }

    /**
     * A value for the key that is not its default (where the broker can still run with it) and
     * that the test process can recognise, as Config Admin stores it.
     */
    private static String testValue(Attribute a, SamsaProcess samsa) {
        switch (a.key()) {
            case "listeners":
            case "advertised.listeners":
                return "PLAINTEXT://127.0.0.1:" + samsa.kafkaPort;
            case "log.dirs":
                return samsa.dataDir.resolve("kafka-logs").toString();
            case "zookeeper.embedded.dir":
                return samsa.dataDir.resolve("zk-elsewhere").toString();
            case "zookeeper.embedded.port":
                return String.valueOf(samsa.zkPort);
            case "zookeeper.connect":
                return ""; // the embedded server: the only one the test has
            case "broker.id":
                return "0";
            case "broker.rack":
                return "rack-a";
            case "inter.broker.listener.name":
                return "PLAINTEXT";
            case "coordinator.target":
                return "(coordination.type=zookeeper)";
            case "storage.target":
                return "(storage.engine=filechannel)";
            case "max.connections.per.ip.overrides":
                return "127.0.0.2:5";
            case "webconsole.allowed.origins":
                return "http://console.example:8443";
            case "controller.quorum.voters":
                return "1@127.0.0.1:19094";
            case "metadata.log.dir":
                return samsa.dataDir.resolve("metadata-elsewhere").toString();
            default:
                break;
        }
        switch (a.type()) {
            case "Integer":
            case "Long":
            case "Short":
            case "Byte":
                long d = Long.parseLong(a.defaultValue());
                return String.valueOf(d > 1 ? d - 1 : d + 1);
            case "Boolean":
                return String.valueOf(!Boolean.parseBoolean(a.defaultValue()));
            case "Double":
            case "Float":
                // ratios are within [0, 1] and rates positive: both stay valid
                double r = Double.parseDouble(a.defaultValue());
                return String.valueOf(r > 1 ? r / 2 : (r + 1) / 2);
            default:
                throw new AssertionError("no test value for " + a.key() + " (" + a.type() + ") of " + a.pid()
                        + ": add one to ServerPropertiesIT.testValue");
        }
    }

    interface ConfigAdminCall {
        void run(MBeanServerConnection mbeans, ObjectName configAdmin) throws Exception;
    }

    /** Reads configurations through Aries JMX's Config Admin MBean, as an operator's JMX tool would. */
    private static void withConfigAdmin(SamsaProcess samsa, ConfigAdminCall call) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(samsa.pid()));
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
            Set<ObjectName> names = mbeans.queryNames(new ObjectName("osgi.compendium:service=cm,*"), null);
            assertTrue("the Config Admin MBean", !names.isEmpty());
            call.run(mbeans, names.iterator().next());
        } finally {
            vm.detach();
        }
    }

    private static Map<String, String> properties(MBeanServerConnection mbeans, ObjectName cm, String pid) throws Exception {
        TabularData rows = (TabularData) mbeans.invoke(cm, "getProperties", new Object[] {pid},
                new String[] {String.class.getName()});
        Map<String, String> values = new HashMap<>();
        if (rows != null) {
            for (Object row : rows.values()) {
                CompositeData entry = (CompositeData) row;
                values.put((String) entry.get("Key"), String.valueOf(entry.get("Value")));
            }
        }
        return values;
    }

    private static String log(Path data) {
        try {
            return Files.readString(data.resolve("logs/samsa.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The keys of Samsa's own components (PIDs io.samsa.*), with the attributes declaring them. */
    static Map<String, List<Attribute>> claimedKeys() throws Exception {
        Map<String, List<Attribute>> claimed = new TreeMap<>();
        declaredKeys().forEach((key, owners) -> {
            List<Attribute> samsa = owners.stream().filter(a -> a.pid().startsWith("io.samsa.")).toList();
            if (!samsa.isEmpty()) {
                claimed.put(key, samsa);
            }
        });
        return claimed;
    }

    /**
     * Key to the attributes declaring it, read from the metatype XML of every bundle of the
     * runtime, third-party ones (FileInstall, the HTTP service) included: the platform applies
     * server.properties keys to those too.
     */
    static Map<String, List<Attribute>> declaredKeys() throws Exception {
        Map<String, List<Attribute>> claimed = new TreeMap<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(SamsaProcess.HOME.resolve("bundles"), "*.jar")) {
            for (Path jar : jars) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    for (JarEntry entry : Collections.list(file.entries())) {
                        if (entry.getName().startsWith("OSGI-INF/metatype/") && entry.getName().endsWith(".xml")) {
                            try (InputStream in = file.getInputStream(entry)) {
                                for (Attribute a : attributes(in)) {
                                    if (!isComponentProperty(a.key())) {
                                        claimed.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return claimed;
    }

    /** The attributes of the designated (singleton) PIDs of one metatype document. */
    private static List<Attribute> attributes(InputStream xml) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml);
        Map<String, String> pidByOcd = new HashMap<>();
        NodeList designates = doc.getElementsByTagName("Designate");
        for (int i = 0; i < designates.getLength(); i++) {
            Element designate = (Element) designates.item(i);
            Element object = (Element) designate.getElementsByTagName("Object").item(0);
            if (!designate.getAttribute("pid").isEmpty()) {
                pidByOcd.put(object.getAttribute("ocdref"), designate.getAttribute("pid"));
            }
        }
        List<Attribute> attributes = new ArrayList<>();
        NodeList ocds = doc.getElementsByTagName("OCD");
        for (int i = 0; i < ocds.getLength(); i++) {
            Element ocd = (Element) ocds.item(i);
            String pid = pidByOcd.get(ocd.getAttribute("id"));
            if (pid == null) {
                continue;
            }
            NodeList ads = ocd.getElementsByTagName("AD");
            for (int j = 0; j < ads.getLength(); j++) {
                Element ad = (Element) ads.item(j);
                attributes.add(new Attribute(pid, ad.getAttribute("id"), ad.getAttribute("type"), ad.getAttribute("default")));
            }
        }
        return attributes;
    }

    /** The platform bundle's list of Apache Kafka's broker keys (KafkaBrokerKeysTest keeps it exact). */
    private static Set<String> kafkaBrokerKeys() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(SamsaProcess.HOME.resolve("bundles"), "platform-*.jar")) {
            for (Path jar : jars) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    JarEntry entry = file.getJarEntry("io/samsa/platform/kafka-broker-keys.txt");
                    Set<String> keys = new TreeSet<>();
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(file.getInputStream(entry),
                            StandardCharsets.UTF_8))) {
                        r.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(keys::add);
                    }
                    return keys;
                }
            }
        }
        throw new AssertionError("no platform bundle in " + SamsaProcess.HOME.resolve("bundles"));
    }
}
