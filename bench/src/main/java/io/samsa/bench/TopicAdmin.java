package io.samsa.bench;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Topic set-up through an in-process Admin client: a separate JVM per call (kafka-topics) would
 * cost seconds of the machine's two cores before every measurement.
 */
public final class TopicAdmin implements AutoCloseable {
    private final Admin admin;

    TopicAdmin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "bench-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        admin = Admin.create(p);
    }

    /** Polls until the broker answers a metadata request, failing at once if it dies. */
    void awaitReady(BrokerUnderTest broker, long deadlineNanos, int timeoutSeconds) {
        String last = "no answer";
        while (true) {
            broker.checkAlive("during start-up");
            try {
                admin.listTopics(new ListTopicsOptions().timeoutMs(3000)).names().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                last = e.getCause() != null ? e.getCause().toString() : e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrokerFailure("interrupted");
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new BrokerFailure("broker at " + broker.bootstrap() + " did not answer a metadata request within "
                        + timeoutSeconds + "s: " + last);
            }
            BrokerUnderTest.pause(500);
        }
    }

    /** Creates a topic and checks that the broker reports every partition of it. */
    public void create(String topic, int partitions, Map<String, String> configs) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
                    .all().get(60, TimeUnit.SECONDS);
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            if (d.partitions().size() != partitions) {
                throw new BrokerFailure("topic " + topic + " should have " + partitions + " partitions, the broker says "
                        + d.partitions().size());
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new BrokerFailure("could not create topic " + topic + ": " + (e.getCause() != null ? e.getCause() : e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerFailure("interrupted");
        }
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
