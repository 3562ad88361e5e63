package io.samsa.coordination.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.json.Json;

/**
 * The small JSON documents stored in znodes, in the shapes Kafka 2.x used, so that people and
 * tools familiar with Kafka's ZooKeeper tree can read them. Reading accepts any JSON object and
 * looks at the top-level members it needs; numbers may come as strings, as Kafka writes some.
 */
final class ZNodeJson {

    private ZNodeJson() {
    }

    /** /brokers/ids/&lt;id&gt;: version 5 of Kafka's broker registration. */
    static byte[] broker(BrokerRegistration registration, long timestampMs) {
        String hostPort = (registration.host().indexOf(':') >= 0 ? "[" + registration.host() + "]"
                : registration.host()) + ":" + registration.port();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 5);
        json.put("host", registration.host());
        json.put("port", registration.port());
        json.put("jmx_port", -1);
        json.put("timestamp", Long.toString(timestampMs));
        json.put("endpoints", List.of("PLAINTEXT://" + hostPort));
        json.put("listener_security_protocol_map", Map.of("PLAINTEXT", "PLAINTEXT"));
        json.put("features", Map.of());
        registration.rack().ifPresent(rack -> json.put("rack", rack));
        return Json.bytes(json);
    }

    /** Reads a broker registration; the epoch is the znode's creation zxid, which JSON does not hold. */
    static BrokerRegistration parseBroker(int brokerId, byte[] data, long epoch) {
        Map<String, Object> fields = parse(data);
        String host = scalar(fields, "host");
        String port = scalar(fields, "port");
        if (host == null || port == null) {
            throw new IllegalArgumentException("broker " + brokerId + " registration has no host or port: "
                    + new String(data, StandardCharsets.UTF_8));
        }
        return new BrokerRegistration(brokerId, host, Integer.parseInt(port),
                Optional.ofNullable(scalar(fields, "rack")).filter(r -> !r.isEmpty()), epoch);
    }

    /** /controller: who the controller is, since when. */
    static byte[] controller(int brokerId, long timestampMs) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 1);
        json.put("brokerid", brokerId);
        json.put("timestamp", Long.toString(timestampMs));
        return Json.bytes(json);
    }

    static int parseControllerId(byte[] data) {
        String id = scalar(parse(data), "brokerid");
        if (id == null) {
            throw new IllegalArgumentException("/controller has no brokerid: " + new String(data, StandardCharsets.UTF_8));
        }
        return Integer.parseInt(id);
    }

    /** /cluster/id. */
    static byte[] clusterId(String id) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1");
        json.put("id", id);
        return Json.bytes(json);
    }

    static String parseClusterId(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8).trim();
        if (!text.startsWith("{")) {
            return text; // a bare id, written by hand
        }
        String id = scalar(parse(data), "id");
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("/cluster/id has no id: " + text);
        }
        return id;
    }

    /** A znode's JSON object; the error names the document, since it is small and says where it came from. */
    private static Map<String, Object> parse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            return Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in " + text, e);
        }
    }

    /** A string, number or boolean member as text; null when absent, null, an object or an array. */
    private static String scalar(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        return value instanceof String || value instanceof Number || value instanceof Boolean ? value.toString() : null;
    }
}
