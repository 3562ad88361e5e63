package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.testsupport.InMemoryCoordinator;

/**
 * The component as SCR drives it: construct with the static references, bind the storage engine,
 * activate, re-bind, modify, deactivate; the maps the methods return are the service properties
 * SCR puts on the registration of the four services.
 */
public class KafkaBrokerComponentTest {

    private static final List<Class<?>> SERVICES = List.of(ClusterView.class, TopicAdmin.class,
            PartitionService.class, ProducerIdService.class);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final InMemoryCoordinator coordinator = new InMemoryCoordinator();
    private final ListenerEndpoints listeners = () -> List.of(BrokerFixture.LOCAL_ENDPOINT);
    private final List<KafkaBroker> components = new ArrayList<>();

    @After
    public void tearDown() {
        components.forEach(KafkaBroker::deactivate);
        coordinator.close();
    }

    private Map<String, Object> config(Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>();
        c.put("log.dirs", tmp.getRoot().getAbsolutePath());
        c.put("broker.id", 4);
        c.putAll(extra);
        return c;
    }

    private KafkaBroker component(Map<String, Object> config) {
        Map<String, Object> properties = new HashMap<>(config);
        properties.put("service.pid", KafkaBroker.PID);
        KafkaBroker broker = new KafkaBroker(coordinator, new CoordinatorMetadataStore(coordinator), listeners,
                new SoloReplicationEngine(), TestConfig.of(config), properties);
        components.add(broker);
        return broker;
    }

    @Test
    public void servesThroughTheRunningBrokerAndNamesItOnTheServiceProperties() throws Exception {
        KafkaBroker broker = component(config(Map.of()));
        StorageEngine first = BrokerFixture.engine();
        broker.bindStorage(first);
        assertEquals("nothing starts before activation", List.of(), coordinator.liveBrokers());

        Map<String, Object> properties = broker.activate(null);
        assertEquals("the broker is registered when its services are handed out", 1,
                coordinator.liveBrokers().size());
        assertEquals(4, properties.get("broker.id"));
        assertEquals("test-cluster", properties.get("cluster.id"));
        assertEquals("filechannel", properties.get("storage.engine"));
        assertEquals("the component's own properties stay", KafkaBroker.PID, properties.get("service.pid"));

        TopicAdmin admin = broker;
        ClusterView cluster = broker;
        ProducerIdService producerIds = broker;
        BrokerFixture.createTopic(broker.server(), "c", 1);
        assertEquals(Errors.TOPIC_ALREADY_EXISTS,
                admin.createTopic("c", 1, (short) 1, Map.of(), Map.of(), false).error());
        assertEquals(4, cluster.localBrokerId());
        assertTrue(cluster.topic("c").isPresent());
        assertEquals(Errors.NONE, producerIds.initProducerId(null, 60000, -1, (short) -1).error());
        TopicPartition tp = new TopicPartition("c", 0);
        assertEquals(Errors.NONE, BrokerFixture.produce(broker.server(), tp, Records.batch("v")).error());
        assertEquals(Errors.NONE, broker.listOffset(tp, -1, IsolationLevel.READ_UNCOMMITTED).error());
        assertEquals(1, broker.listOffset(tp, -1, IsolationLevel.READ_UNCOMMITTED).offset());

        // A better engine arrives: SCR binds it, then unbinds the old one.
        StorageEngine second = new RenamedEngine("second", BrokerFixture.engine());
        BrokerServer before = broker.server();
        Map<String, Object> swapped = broker.bindStorage(second);
        broker.unbindStorage(first);
        assertSame("the broker is not restarted", before, broker.server());
        assertSame(second, broker.server().engine());
        assertEquals("the services name the engine in use", "second", swapped.get("storage.engine"));
        assertEquals(4, swapped.get("broker.id"));
        assertEquals(List.of("v"), BrokerFixture.values(BrokerFixture.fetch(broker.server(), tp, 0)));

        // Only the target changed: nothing restarts. Felix calls modified(), re-binds the engine
        // the new target selects, then applies what modified() returned: it names that engine.
        Map<String, Object> retargeted = broker.modified(
                TestConfig.of(config(Map.of("storage.target", "(storage.engine=filechannel)"))), Map.of());
        broker.bindStorage(first);
        broker.unbindStorage(second);
        assertSame(before, broker.server());
        assertSame(first, broker.server().engine());
        assertEquals("filechannel", new HashMap<>(retargeted).get("storage.engine"));

        // Settings that leave the broker's identity alone apply to the running broker: topics
        // without an override take the new log defaults, a topic's own override stays.
        admin.createTopic("own", 1, (short) 1, Map.of(), Map.of("segment.bytes", "2000000"), false);
        broker.server().awaitMetadata();
        broker.modified(TestConfig.of(config(Map.of("num.partitions", 3, "log.segment.bytes", 1048576))), Map.of());
        assertSame("no restart for settings Kafka changes live", before, broker.server());
        assertEquals(3, broker.server().settings().numPartitions());
        assertEquals(1048576, broker.server().registry().get(tp).config().segmentBytes());
        assertEquals(2000000, broker.server().registry().get(new TopicPartition("own", 0)).config().segmentBytes());

        // An identity setting restarts the broker behind the same services, with their new properties.
        BrokerSettings old = broker.server().settings();
        Map<String, Object> restarted = broker.modified(TestConfig.of(config(Map.of("num.partitions", 3,
                "log.segment.bytes", 1048576, "broker.id", 5))), Map.of());
        assertNotSame(before, broker.server());
        assertEquals("the restart names what changed", List.of("broker.id: 4 -> 5"),
                old.changesTo(broker.server().settings()));
        assertEquals(List.of("broker.id"), old.identityChangesTo(broker.server().settings()));
        assertEquals(5, restarted.get("broker.id"));
        assertEquals(5, cluster.localBrokerId());
        assertEquals(List.of(5), coordinator.liveBrokers().stream().map(b -> b.brokerId()).toList());
        assertTrue("the topics survive the restart", cluster.topic("c").isPresent());

        broker.deactivate();
        assertNull(broker.server());
        assertTrue(coordinator.liveBrokers().isEmpty());
        NotLeaderOrFollowerException stopped = assertThrows(NotLeaderOrFollowerException.class, cluster::topics);
        assertEquals("Broker 5 is stopped; retry", stopped.getMessage());
    }

    @Test
    public void callsBeforeActivationFailRetriablyNamingTheBroker() throws Exception {
        KafkaBroker broker = component(config(Map.of()));
        broker.bindStorage(BrokerFixture.engine());
        TopicPartition tp = new TopicPartition("c", 0);

        RetriableException sync = assertThrows(NotLeaderOrFollowerException.class,
                () -> broker.createTopic("c", 1, (short) 1, Map.of(), Map.of(), false));
        assertEquals("Broker 4 is not started yet; retry", sync.getMessage());
        assertThrows(NotLeaderOrFollowerException.class, () -> broker.initProducerId(null, 60000, -1, (short) -1));
        assertThrows(NotLeaderOrFollowerException.class, () -> broker.listOffset(tp, -1, IsolationLevel.READ_UNCOMMITTED));
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> broker.append(Map.of(tp, Records.batch("v")), (short) 1, 1000, false).get());
        assertTrue(async.getCause().toString(), async.getCause() instanceof NotLeaderOrFollowerException);
        assertThrows(ExecutionException.class,
                () -> broker.fetch(-1, 0, 1, 1024, IsolationLevel.READ_UNCOMMITTED, Map.of()).get());
    }

    @Test
    public void aFailedRestartAnswersRetriablyWithTheCauseUntilAGoodConfigurationStartsIt() throws Exception {
        KafkaBroker broker = component(config(Map.of()));
        broker.bindStorage(BrokerFixture.engine());
        broker.activate(null);
        Path notADirectory = Files.createFile(tmp.getRoot().toPath().resolve("a-file"));

        Map<String, Object> bad = config(Map.of("log.dirs", notADirectory.toString()));
        IOException failed = assertThrows(IOException.class, () -> broker.modified(TestConfig.of(bad), Map.of()));
        assertNull(broker.server());
        assertTrue("the broker left the cluster", coordinator.liveBrokers().isEmpty());
        NotLeaderOrFollowerException e = assertThrows(NotLeaderOrFollowerException.class, broker::brokers);
        assertTrue(e.getMessage(), e.getMessage().startsWith("Broker 4 is not running: its start failed ("));
        assertTrue(e.getMessage(), e.getMessage().contains(failed.getMessage()));
        assertTrue(e.getMessage(), e.getMessage().endsWith("fix the broker configuration; retry"));

        Map<String, Object> properties = broker.modified(TestConfig.of(config(Map.of())), Map.of());
        assertNotNull("a good configuration starts the broker again", broker.server());
        assertEquals(1, coordinator.liveBrokers().size());
        assertEquals(4, properties.get("broker.id"));
        assertEquals(4, broker.localBrokerId());
    }

    @Test
    public void activationWithoutUsableLogDirsFailsAndServesNothing() throws Exception {
        Path notADirectory = Files.createFile(tmp.getRoot().toPath().resolve("a-file"));
        KafkaBroker broker = component(config(Map.of("log.dirs", notADirectory.toString())));
        broker.bindStorage(BrokerFixture.engine());
        IOException e = assertThrows(IOException.class, () -> broker.activate(null));
        assertTrue(e.getMessage(), e.getMessage().contains("None of the log dirs"));
        assertTrue(coordinator.liveBrokers().isEmpty());
        assertThrows(NotLeaderOrFollowerException.class, broker::controllerId);
    }

    /**
     * A method the component does not declare would run the interface's default instead of the
     * broker's implementation: every method of the four services must reach the BrokerServer.
     */
    @Test
    public void everyServiceMethodIsDelegated() {
        List<String> inherited = new ArrayList<>();
        for (Class<?> service : SERVICES) {
            assertTrue(service.isAssignableFrom(KafkaBroker.class));
            for (Method m : service.getMethods()) {
                try {
                    KafkaBroker.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    inherited.add(service.getSimpleName() + "." + m.getName());
                }
            }
        }
        assertEquals("service methods KafkaBroker does not pass on to its BrokerServer", List.of(), inherited);
    }

    /** A second engine under another name, as storage-mmap would be. */
    private record RenamedEngine(String name, StorageEngine real) implements StorageEngine {
        @Override
        public PartitionLog open(TopicPartition partition, Path dir, LogConfig config) throws IOException {
            return real.open(partition, dir, config);
        }

        @Override
        public PartitionLog open(TopicPartition partition, Path dir, LogConfig config, ReentrantLock writerLock)
                throws IOException {
            return real.open(partition, dir, config, writerLock);
        }
    }
}
