package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.api.broker.PartitionService;
import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.storage.StorageEngine;
import io.samsa.testsupport.InMemoryCoordinator;

/** The component as SCR drives it: bind, activate, re-bind, modify, deactivate. */
public class KafkaBrokerComponentTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final InMemoryCoordinator coordinator = new InMemoryCoordinator();
    /** Registered services: interface name to (service, properties); removed on unregister. */
    private final Map<String, Object[]> registered = new HashMap<>();
    private final List<String> registrationOrder = new ArrayList<>();

    @After
    public void tearDown() {
        coordinator.close();
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("registerService")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    String name = ((Class<?>) args[0]).getName();
                    // Services must only appear once the broker is ready: its topics are loaded.
                    assertTrue(coordinator.liveBrokers().size() == 1);
                    registered.put(name, new Object[] {args[1], args[2]});
                    registrationOrder.add(name);
                    return Proxy.newProxyInstance(getClass().getClassLoader(),
                            new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                                if (m.getName().equals("unregister")) {
                                    registered.remove(name);
                                    return null;
                                }
                                if (m.getName().equals("setProperties")) {
                                    registered.put(name, new Object[] {args[1], a[0]});
                                    return null;
                                }
                                throw new UnsupportedOperationException(m.getName());
                            });
                });
    }

    private KafkaBroker component() throws Exception {
        KafkaBroker broker = new KafkaBroker();
        Field f = KafkaBroker.class.getDeclaredField("coordinator");
        f.setAccessible(true);
        f.set(broker, coordinator);
        Field listeners = KafkaBroker.class.getDeclaredField("listeners");
        listeners.setAccessible(true);
        listeners.set(broker, (ListenerEndpoints) () -> List.of(BrokerFixture.LOCAL_ENDPOINT));
        return broker;
    }

    private Map<String, Object> config(Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>(extra);
        c.put("log.dirs", tmp.getRoot().getAbsolutePath());
        c.put("broker.id", 4);
        return c;
    }

    @Test
    public void publishesServicesWhenReadyAndWithdrawsThem() throws Exception {
        KafkaBroker broker = component();
        StorageEngine first = BrokerFixture.engine();
        broker.bindStorage(first);
        broker.activate(context(), TestConfig.of(config(Map.of())));

        assertEquals(List.of(ClusterView.class.getName(), TopicAdmin.class.getName(),
                PartitionService.class.getName(), ProducerIdService.class.getName()), registrationOrder);
        Dictionary<?, ?> props = (Dictionary<?, ?>) registered.get(ClusterView.class.getName())[1];
        assertEquals(4, props.get("broker.id"));
        assertEquals("test-cluster", props.get("cluster.id"));

        TopicAdmin admin = (TopicAdmin) registered.get(TopicAdmin.class.getName())[0];
        PartitionService partitions = (PartitionService) registered.get(PartitionService.class.getName())[0];
        BrokerFixture.createTopic(serverOf(broker), "c", 1);
        assertEquals(Errors.TOPIC_ALREADY_EXISTS,
                admin.createTopic("c", 1, (short) 1, Map.of(), Map.of(), false).error());
        TopicPartition tp = new TopicPartition("c", 0);
        assertEquals(Errors.NONE, BrokerFixture.produce(serverOf(broker), tp, Records.batch("v")).error());

        // A better engine arrives: SCR binds it, then unbinds the old one.
        StorageEngine second = BrokerFixture.engine();
        broker.bindStorage(second);
        broker.unbindStorage(first);
        assertSame(second, serverOf(broker).engine());
        assertEquals(List.of("v"), BrokerFixture.values(BrokerFixture.fetch(serverOf(broker), tp, 0)));
        assertSame("the same services stay published", partitions,
                registered.get(PartitionService.class.getName())[0]);
        assertEquals("the PartitionService names the engine in use", second.name(),
                ((java.util.Dictionary<?, ?>) registered.get(PartitionService.class.getName())[1]).get("storage.engine"));

        // Only the target changed: nothing restarts.
        BrokerServer before = serverOf(broker);
        broker.modified(TestConfig.of(config(Map.of("storage.target", "(storage.engine=filechannel)"))), Map.of());
        assertSame(before, serverOf(broker));

        // Settings that leave the broker's identity alone apply to the running broker: topics
        // without an override take the new log defaults, a topic's own override stays.
        admin.createTopic("own", 1, (short) 1, Map.of(), Map.of("segment.bytes", "2000000"), false);
        serverOf(broker).awaitMetadata();
        broker.modified(TestConfig.of(config(Map.of("num.partitions", 3, "log.segment.bytes", 1048576))), Map.of());
        assertSame("no restart for settings Kafka changes live", before, serverOf(broker));
        assertEquals(3, serverOf(broker).settings().numPartitions());
        assertEquals(1048576, serverOf(broker).registry().get(tp).config().segmentBytes());
        assertEquals(2000000, serverOf(broker).registry().get(new TopicPartition("own", 0)).config().segmentBytes());
        assertSame("the same services stay published", partitions, registered.get(PartitionService.class.getName())[0]);

        // An identity setting restarts the broker and re-publishes its services.
        BrokerSettings old = serverOf(broker).settings();
        broker.modified(TestConfig.of(config(Map.of("num.partitions", 3, "log.segment.bytes", 1048576,
                "broker.rack", "r1"))), Map.of());
        assertTrue(before != serverOf(broker));
        assertEquals("the restart names what changed", List.of("broker.rack:  -> r1"),
                old.changesTo(serverOf(broker).settings()));
        assertEquals(List.of("broker.rack"), old.identityChangesTo(serverOf(broker).settings()));
        assertEquals(4, registered.size());

        broker.deactivate();
        assertTrue(registered.isEmpty());
        assertTrue(coordinator.liveBrokers().isEmpty());
    }

    private static BrokerServer serverOf(KafkaBroker broker) throws Exception {
        Field f = KafkaBroker.class.getDeclaredField("server");
        f.setAccessible(true);
        return (BrokerServer) f.get(broker);
    }
}
