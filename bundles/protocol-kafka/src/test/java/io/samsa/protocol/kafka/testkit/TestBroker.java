package io.samsa.protocol.kafka.testkit;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

import io.samsa.protocol.kafka.KafkaListeners;
import io.samsa.protocol.kafka.KafkaProtocolServer;
import io.samsa.testsupport.InMemoryCluster;
import io.samsa.testsupport.InMemoryPartitions;

/** The real protocol components on 127.0.0.1 and an ephemeral port, over the in-memory services. */
public final class TestBroker implements AutoCloseable {

    public final InMemoryPartitions partitions = new InMemoryPartitions();
    public final InMemoryCluster cluster = new InMemoryCluster(partitions);
    public final InMemoryProducerIds producerIds = new InMemoryProducerIds();
    public final SimpleGroupCoordinator groups;
    public final KafkaListeners listeners;
    public final KafkaProtocolServer server;
    private final Map<String, Object> settings;

    public TestBroker() throws Exception {
        this(1024 * 1024, 600_000);
    }

    public TestBroker(int maxRequestBytes, long idleMillis) throws Exception {
        this(Map.of("socket.request.max.bytes", maxRequestBytes, "connections.max.idle.ms", idleMillis));
    }

    /** @param settings protocol configuration by Kafka key; listeners default to 127.0.0.1:0 */
    public TestBroker(Map<String, Object> settings) throws Exception {
        this(settings, new SimpleGroupCoordinator());
    }

    public TestBroker(Map<String, Object> settings, SimpleGroupCoordinator groups) throws Exception {
        this.settings = new HashMap<>(settings);
        this.settings.putIfAbsent("listeners", "PLAINTEXT://127.0.0.1:0");
        this.groups = groups;
        KafkaProtocolServer.Config config = config(this.settings);
        listeners = new KafkaListeners(listenersConfig(this.settings));
        try {
            server = new KafkaProtocolServer(listeners, cluster, cluster, partitions, producerIds, groups, config, null);
        } catch (Exception | Error e) {
            closeListeners();
            throw e;
        }
        cluster.setPort(port());
    }

    public int port() {
        return address().getPort();
    }

    public InetSocketAddress address() {
        return server.boundAddresses().get(0);
    }

    public String bootstrap() {
        return "127.0.0.1:" + port();
    }

    /** Changes protocol settings live, as Config Admin would through the component's @Modified. */
    public void reconfigure(Map<String, Object> changes) throws Exception {
        settings.putAll(changes);
        server.modified(config(settings));
    }

    /** The listeners' configuration with just {@code listeners} set. */
    public static KafkaListeners.Config listenersConfig(String listeners) {
        return listenersConfig(Map.of("listeners", listeners));
    }

    public static KafkaListeners.Config listenersConfig(Map<String, Object> values) {
        return configOf(KafkaListeners.Config.class, values);
    }

    /** A protocol configuration answering the given Kafka keys and the metatype defaults for the rest. */
    public static KafkaProtocolServer.Config config(Map<String, Object> values) {
        return configOf(KafkaProtocolServer.Config.class, values);
    }

    private static <T> T configOf(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(TestBroker.class.getClassLoader(),
                new Class<?>[] {type}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return type;
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("toString") ? values.toString()
                                : method.getName().equals("hashCode") ? System.identityHashCode(proxy) : proxy == args[0];
                    }
                    Object value = values.get(method.getName().replace('_', '.'));
                    return value == null ? method.getDefaultValue() : convert(value, method);
                }));
    }

    private static Object convert(Object value, Method method) {
        Class<?> type = method.getReturnType();
        if (type == int.class) {
            return ((Number) value).intValue();
        }
        if (type == long.class) {
            return ((Number) value).longValue();
        }
        return String.valueOf(value);
    }

    @Override
    public void close() throws Exception {
        try {
            invoke(server, KafkaProtocolServer.class, "stop");
        } finally {
            closeListeners();
            partitions.close();
        }
    }

    private void closeListeners() throws Exception {
        invoke(listeners, KafkaListeners.class, "close");
    }

    private static void invoke(Object target, Class<?> type, String name) throws Exception {
        Method method = type.getDeclaredMethod(name);
        method.setAccessible(true);
        method.invoke(target);
    }
}
