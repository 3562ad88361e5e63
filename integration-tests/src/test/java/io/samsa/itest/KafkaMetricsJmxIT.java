package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.Test;

/**
 * The broker's metrics over a real JMX connection, as jconsole or a Kafka UI reads them: after a
 * kafka-clients producer and consumer group ran, the MBeans under Kafka's names moved by what
 * they did (messages in, bytes out, requests by type, log end offsets, groups), with Kafka's
 * key order and attributes, beside Aries JMX's OSGi MBeans.
 */
public class KafkaMetricsJmxIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TOPIC = "metered";
    private static final int RECORDS = 10;

    @Test
    public void kafkaMBeansMoveWithProduceAndFetch() throws Exception {
        int jmxPort = SamsaOsgiTestSupport.freePort();
        try (SamsaProcess samsa = new SamsaProcess(SamsaOsgiTestSupport.tempDir("samsa-metrics-jmx"), Map.of())
                .withJvmOptions(List.of("-Xmx512m", "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                        "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                        "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                        "-Dcom.sun.management.jmxremote.authenticate=false",
                        "-Dcom.sun.management.jmxremote.ssl=false"))
                .start();
                JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(
                        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            String host = samsa.bootstrap();
            KafkaClients.createTopic(host, TOPIC, 2);
            try (KafkaProducer<String, String> producer = KafkaClients.producer(host, Map.of())) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % 2, "k" + i, "value-" + i)).get();
                }
            }
            try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(host, "metered-group",
                    Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"))) {
                consumer.subscribe(List.of(TOPIC));
                assertEquals(RECORDS, KafkaClients.pollAtLeast(consumer, RECORDS, TIMEOUT).size());
                consumer.commitSync();
            }

            ObjectName messagesIn = new ObjectName(
                    "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC);
            try {
                KafkaClients.waitUntil("the topic's MBeans to appear", TIMEOUT, () -> registered(server, messagesIn));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; kafka MBeans: "
                        + server.queryNames(new ObjectName("kafka.*:*"), null) + "\n" + samsa.output(), e);
            }
            assertEquals("Kafka's key order", "type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC,
                    server.queryNames(messagesIn, null).iterator().next().getKeyPropertyListString());
            assertEquals((long) RECORDS, server.getAttribute(messagesIn, "Count"));
            assertEquals("messages", server.getAttribute(messagesIn, "EventType"));
            assertEquals(TimeUnit.SECONDS, server.getAttribute(messagesIn, "RateUnit"));
            for (String rate : List.of("MeanRate", "OneMinuteRate", "FiveMinuteRate", "FifteenMinuteRate")) {
                assertTrue(rate, server.getAttribute(messagesIn, rate) instanceof Double);
            }
            assertTrue(count(server, "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec") >= RECORDS);
            assertTrue(count(server, "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=" + TOPIC) > 0);
            assertTrue("the consumer read the records",
                    count(server, "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=" + TOPIC) > 0);
            assertEquals((long) RECORDS,
                    count(server, "kafka.server:type=BrokerTopicMetrics,name=TotalProduceRequestsPerSec,topic=" + TOPIC));
            assertTrue(count(server, "kafka.server:type=BrokerTopicMetrics,name=TotalFetchRequestsPerSec,topic="
                    + TOPIC) > 0);
            assertEquals(0L, count(server,
                    "kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec,topic=" + TOPIC));

            long produces = 0;
            for (ObjectName n : server.queryNames(new ObjectName(
                    "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*"), null)) {
                assertTrue(n.toString(), n.getKeyPropertyListString().startsWith(
                        "type=RequestMetrics,name=RequestsPerSec,request=Produce,version="));
                produces += (long) server.getAttribute(n, "Count");
            }
            assertTrue("produce requests: " + produces, produces >= RECORDS);
            ObjectName produceTime = new ObjectName("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce");
            assertTrue((long) server.getAttribute(produceTime, "Count") >= RECORDS);
            assertTrue(server.getAttribute(produceTime, "99thPercentile") instanceof Double);
            assertTrue(count(server, "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=FetchConsumer") > 0);
            assertTrue(count(server, "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Fetch") > 0);
            for (String stage : List.of("RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs",
                    "ResponseSendTimeMs")) {
                assertTrue(stage, count(server, "kafka.network:type=RequestMetrics,name=" + stage + ",request=Produce")
                        >= RECORDS);
            }

            long partitions = value(server, "kafka.server:type=ReplicaManager,name=PartitionCount");
            assertTrue("the topic's 2 and __consumer_offsets's: " + partitions, partitions >= 2 + 5);
            assertEquals(partitions, value(server, "kafka.server:type=ReplicaManager,name=LeaderCount"));
            assertEquals(0L, value(server, "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions"));
            assertEquals(0L, value(server, "kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount"));
            assertEquals(0L, value(server, "kafka.server:type=ReplicaManager,name=OfflineReplicaCount"));
            assertTrue(registered(server, new ObjectName("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec")));

            long logEnd = value(server, "kafka.log:type=Log,name=LogEndOffset,topic=" + TOPIC + ",partition=0")
                    + value(server, "kafka.log:type=Log,name=LogEndOffset,topic=" + TOPIC + ",partition=1");
            assertEquals((long) RECORDS, logEnd);
            assertEquals(0L, value(server, "kafka.log:type=Log,name=LogStartOffset,topic=" + TOPIC + ",partition=0"));
            assertTrue(value(server, "kafka.log:type=Log,name=Size,topic=" + TOPIC + ",partition=0") > 0);

            assertEquals(1L, value(server, "kafka.controller:type=KafkaController,name=ActiveControllerCount"));
            assertEquals(0L, value(server, "kafka.controller:type=KafkaController,name=OfflinePartitionsCount"));
            KafkaClients.waitUntil("the controller to count both topics", TIMEOUT,
                    () -> value(server, "kafka.controller:type=KafkaController,name=GlobalTopicCount") == 2);
            assertEquals(7L, value(server, "kafka.controller:type=KafkaController,name=GlobalPartitionCount"));

            assertEquals("RUNNING", 3L, value(server, "kafka.server:type=KafkaServer,name=BrokerState"));
            ObjectName appInfo = new ObjectName("kafka.server:type=app-info,id=0");
            assertFalse(((String) server.getAttribute(appInfo, "version")).isEmpty());
            assertTrue(server.getAttribute(appInfo, "commit-id") instanceof String);
            assertTrue((long) server.getAttribute(appInfo, "start-time-ms") > 0);

            assertTrue(value(server, "kafka.coordinator.group:type=GroupMetadataManager,name=NumGroups") >= 1);
            assertEquals(2L, value(server, "kafka.coordinator.group:type=GroupMetadataManager,name=NumOffsets"));
            assertEquals(1L, value(server, "kafka.coordinator.group:type=GroupMetadataManager,name=NumGroupsEmpty"));

            Set<ObjectName> osgi = server.queryNames(new ObjectName("osgi.core:type=framework,*"), null);
            assertFalse("Aries JMX's MBeans stay", osgi.isEmpty());
        }
    }

    private static boolean registered(MBeanServerConnection server, ObjectName name) {
        try {
            return server.isRegistered(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long count(MBeanServerConnection server, String name) throws Exception {
        return (long) server.getAttribute(new ObjectName(name), "Count");
    }

    private static long value(MBeanServerConnection server, String name) {
        try {
            return ((Number) server.getAttribute(new ObjectName(name), "Value")).longValue();
        } catch (Exception e) {
            throw new AssertionError("reading " + name, e);
        }
    }
}
