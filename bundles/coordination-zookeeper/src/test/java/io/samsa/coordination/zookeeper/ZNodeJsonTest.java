package io.samsa.coordination.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import java.util.Optional;

import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;

public class ZNodeJsonTest {

    @Test
    public void readsKafkaWrittenBrokerRegistrations() {
        String kafka = "{\"features\":{},\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},"
                + "\"endpoints\":[\"PLAINTEXT://kafka-1:9092\"],\"jmx_port\":-1,\"port\":9092,"
                + "\"host\":\"kafka-1\",\"version\":5,\"timestamp\":\"1700000000000\",\"rack\":null}";
        assertEquals(new BrokerRegistration(1, "kafka-1", 9092, Optional.empty(), 42),
                ZNodeJson.parseBroker(1, kafka.getBytes(UTF_8), 42));
    }

    @Test
    public void readsEveryEndpointOfAKafkaRegistrationWithItsSecurityProtocol() {
        // Kafka leaves host null and port -1 when no listener is called PLAINTEXT
        String kafka = "{\"listener_security_protocol_map\":{\"INTERNAL\":\"SASL_PLAINTEXT\",\"EXTERNAL\":\"SSL\"},"
                + "\"endpoints\":[\"INTERNAL://10.0.0.1:9093\",\"EXTERNAL://[fe80::1]:9094\"],\"jmx_port\":-1,"
                + "\"port\":-1,\"host\":null,\"version\":5,\"timestamp\":\"1700000000000\"}";
        BrokerRegistration b = ZNodeJson.parseBroker(2, kafka.getBytes(UTF_8), 9);
        assertEquals(List.of(new BrokerRegistration.Endpoint("INTERNAL", "SASL_PLAINTEXT", "10.0.0.1", 9093),
                new BrokerRegistration.Endpoint("EXTERNAL", "SSL", "fe80::1", 9094)), b.endpoints());
        assertEquals("clients go to the first endpoint", "10.0.0.1", b.host());
        assertEquals(9093, b.port());
        assertEquals(b, ZNodeJson.parseBroker(2, ZNodeJson.broker(b, 1L), 9));
    }

    @Test
    public void everyEndpointIsWrittenWithItsProtocolInTheMap() {
        BrokerRegistration b = new BrokerRegistration(1, "h", 9092, Optional.empty(), 0, List.of(
                new BrokerRegistration.Endpoint("PLAINTEXT", "PLAINTEXT", "h", 9092),
                new BrokerRegistration.Endpoint("REPLICATION", "PLAINTEXT", "r", 9093)));
        String json = new String(ZNodeJson.broker(b, 3L), UTF_8);
        assertEquals(true, json.contains("\"endpoints\":[\"PLAINTEXT://h:9092\",\"REPLICATION://r:9093\"]"));
        assertEquals(json, true, json.contains(
                "\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\",\"REPLICATION\":\"PLAINTEXT\"}"));
    }

    @Test
    public void malformedEndpointsAreRejectedNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZNodeJson.parseBroker(1,
                "{\"host\":\"h\",\"port\":1,\"endpoints\":[\"no-scheme-here\"]}".getBytes(UTF_8), 0));
        assertEquals(e.getMessage(), true, e.getMessage().contains("no-scheme-here"));
        e = assertThrows(IllegalArgumentException.class, () -> ZNodeJson.parseBroker(1,
                "{\"host\":\"h\",\"port\":1,\"endpoints\":[\"X://h:port\"]}".getBytes(UTF_8), 0));
        assertEquals(e.getMessage(), true, e.getMessage().contains("X://h:port"));
        e = assertThrows(IllegalArgumentException.class, () -> ZNodeJson.parseBroker(1,
                ("{\"host\":\"h\",\"port\":1,\"endpoints\":[\"X://h:1\"],"
                        + "\"listener_security_protocol_map\":{\"X\":\"TLS\"}}").getBytes(UTF_8), 0));
        assertEquals(e.getMessage(), true, e.getMessage().contains("TLS"));
    }

    @Test
    public void brokerRegistrationRoundTripsWithEscapesAndRack() {
        BrokerRegistration b = new BrokerRegistration(3, "we\"ird\\host", 1234, Optional.of("r\u00e9 1"), 7);
        assertEquals(b, ZNodeJson.parseBroker(3, ZNodeJson.broker(b, 1L), 7));
        BrokerRegistration v6 = new BrokerRegistration(4, "::1", 9092, Optional.empty(), 1);
        String json = new String(ZNodeJson.broker(v6, 1L), UTF_8);
        assertEquals(true, json.contains("\"PLAINTEXT://[::1]:9092\""));
        assertEquals(v6, ZNodeJson.parseBroker(4, json.getBytes(UTF_8), 1));
    }

    @Test
    public void documentsAreWrittenByteForByteInKafkasShape() {
        BrokerRegistration b = new BrokerRegistration(2, "h\u00e9\"st", 9093, Optional.of("r1"), 0);
        assertEquals("{\"version\":5,\"host\":\"h\u00e9\\\"st\",\"port\":9093,\"jmx_port\":-1,"
                + "\"timestamp\":\"17\",\"endpoints\":[\"PLAINTEXT://h\u00e9\\\"st:9093\"],"
                + "\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},\"features\":{},\"rack\":\"r1\"}",
                new String(ZNodeJson.broker(b, 17L), UTF_8));
        assertEquals("{\"version\":1,\"brokerid\":9,\"timestamp\":\"5\"}", new String(ZNodeJson.controller(9, 5L), UTF_8));
        assertEquals("{\"version\":\"1\",\"id\":\"a\\tb\"}", new String(ZNodeJson.clusterId("a\tb"), UTF_8));
    }

    @Test
    public void controllerAndClusterIdDocuments() {
        assertEquals(9, ZNodeJson.parseControllerId(ZNodeJson.controller(9, 5L)));
        assertEquals("abc", ZNodeJson.parseClusterId(ZNodeJson.clusterId("abc")));
        assertEquals("bare-id", ZNodeJson.parseClusterId(" bare-id\n".getBytes(UTF_8)));
        assertEquals(4, ZNodeJson.parseControllerId(
                " { \"a\" : 1 , \"b\" : [1, {\"n\": \"]\"}], \"brokerid\":\"4\"}".getBytes(UTF_8)));
        assertEquals("x\ny", ZNodeJson.parseClusterId("{\"version\":\"1\",\"id\":\"x\\u000ay\"}".getBytes(UTF_8)));
    }

    @Test
    public void malformedDocumentsAreRejectedWithTheirText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZNodeJson.parseBroker(1, "{\"host\":\"h\"".getBytes(UTF_8), 0));
        assertEquals(true, e.getMessage().contains("{\"host\":\"h\""));
        assertEquals(e.getMessage(), true, e.getMessage().contains("EOF")); // the document ends inside the object
        assertThrows(IllegalArgumentException.class,
                () -> ZNodeJson.parseBroker(1, "{\"host\":\"h\"}".getBytes(UTF_8), 0));
        assertThrows(IllegalArgumentException.class, () -> ZNodeJson.parseControllerId("[]".getBytes(UTF_8)));
    }
}
