package io.samsa.protocol.kafka.testkit;

import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;

import io.samsa.protocol.kafka.KafkaProtocolServer;

/** The real protocol server on 127.0.0.1 and an ephemeral port, over the in-memory services. */
public final class TestBroker implements AutoCloseable {

    public final InMemoryPartitions partitions = new InMemoryPartitions();
    public final InMemoryCluster cluster = new InMemoryCluster(partitions);
    public final InMemoryProducerIds producerIds = new InMemoryProducerIds();
    public final SimpleGroupCoordinator groups = new SimpleGroupCoordinator();
    public final KafkaProtocolServer server;

    public TestBroker() throws Exception {
        this(1024 * 1024, 600_000);
    }

    public TestBroker(int maxRequestBytes, long idleMillis) throws Exception {
        server = new KafkaProtocolServer(cluster, cluster, partitions, producerIds, groups,
                config("PLAINTEXT://127.0.0.1:0", maxRequestBytes, idleMillis));
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

    public static KafkaProtocolServer.Config config(String listeners, int maxRequestBytes, long idleMillis) {
        return new KafkaProtocolServer.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return KafkaProtocolServer.Config.class;
            }

            @Override
            public String listeners() {
                return listeners;
            }

            @Override
            public int socket_request_max_bytes() {
                return maxRequestBytes;
            }

            @Override
            public long connections_max_idle_ms() {
                return idleMillis;
            }
        };
    }

    @Override
    public void close() throws Exception {
        java.lang.reflect.Method stop = KafkaProtocolServer.class.getDeclaredMethod("stop");
        stop.setAccessible(true);
        stop.invoke(server);
        partitions.close();
    }
}
