package io.samsa.coordination.zookeeper;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import io.samsa.api.coordination.BrokerRegistration;

/**
 * The small JSON documents stored in znodes, in the shapes Kafka 2.x used, so that people and
 * tools familiar with Kafka's ZooKeeper tree can read them. Reading accepts any JSON object and
 * looks at the top-level members it needs; numbers may come as strings, as Kafka writes some.
 */
final class ZNodeJson {
    /** Looked up once (through SPI Fly in OSGi): each {@code jakarta.json.Json} call would search again. */
    private static final JsonProvider JSON = JsonProvider.provider();

    private ZNodeJson() {
    }

    /** /brokers/ids/&lt;id&gt;: version 5 of Kafka's broker registration, with every advertised listener. */
    static byte[] broker(BrokerRegistration registration, long timestampMs) {
        JsonArrayBuilder endpoints = JSON.createArrayBuilder();
        JsonObjectBuilder protocols = JSON.createObjectBuilder();
        for (BrokerRegistration.Endpoint e : registration.endpoints()) {
            endpoints.add(e.toString());
            protocols.add(e.listenerName(), e.securityProtocol());
        }
        JsonObjectBuilder json = JSON.createObjectBuilder().add("version", 5).add("host", registration.host())
                .add("port", registration.port()).add("jmx_port", -1).add("timestamp", Long.toString(timestampMs))
                .add("endpoints", endpoints).add("listener_security_protocol_map", protocols)
                .add("features", JsonValue.EMPTY_JSON_OBJECT);
        registration.rack().ifPresent(rack -> json.add("rack", rack));
        return bytes(json);
    }

    /**
     * Reads a broker registration; the epoch is the znode's creation zxid, which JSON does not hold.
     * Without {@code endpoints} (Kafka's version 1) the host and port are its one PLAINTEXT endpoint;
     * without a host (Kafka leaves it out when no listener is PLAINTEXT) clients go to the first endpoint.
     */
    static BrokerRegistration parseBroker(int brokerId, byte[] data, long epoch) {
        JsonObject fields = parse(data);
        List<BrokerRegistration.Endpoint> endpoints = endpoints(brokerId, fields, data);
        String host = scalar(fields, "host");
        String port = scalar(fields, "port");
        if (host == null || port == null || "-1".equals(port)) {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("broker " + brokerId + " registration has no host, port or"
                        + " endpoints: " + new String(data, StandardCharsets.UTF_8));
            }
            host = endpoints.get(0).host();
            port = Integer.toString(endpoints.get(0).port());
        }
        int clientPort = Integer.parseInt(port);
        if (endpoints.isEmpty()) {
            endpoints = List.of(new BrokerRegistration.Endpoint("PLAINTEXT", "PLAINTEXT", host, clientPort));
        }
        return new BrokerRegistration(brokerId, host, clientPort,
                Optional.ofNullable(scalar(fields, "rack")).filter(r -> !r.isEmpty()), epoch, endpoints);
    }

    private static List<BrokerRegistration.Endpoint> endpoints(int brokerId, JsonObject fields, byte[] data) {
        if (!(fields.get("endpoints") instanceof JsonArray array)) {
            return List.of();
        }
        JsonObject protocols = fields.get("listener_security_protocol_map") instanceof JsonObject map ? map
                : JsonValue.EMPTY_JSON_OBJECT;
        List<BrokerRegistration.Endpoint> endpoints = new ArrayList<>(array.size());
        for (JsonValue value : array) {
            String text = value instanceof JsonString s ? s.getString() : String.valueOf(value);
            int scheme = text.indexOf("://");
            int colon = text.lastIndexOf(':');
            if (scheme <= 0 || colon <= scheme + 2) {
                throw new IllegalArgumentException("broker " + brokerId + " endpoint " + text
                        + " is not LISTENER://host:port in " + new String(data, StandardCharsets.UTF_8));
            }
            String name = text.substring(0, scheme);
            String host = text.substring(scheme + 3, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("broker " + brokerId + " endpoint " + text + " has no port number",
                        e);
            }
            String protocol = protocols.get(name) instanceof JsonString s ? s.getString() : null;
            endpoints.add(protocol == null ? BrokerRegistration.Endpoint.of(name, host, port)
                    : new BrokerRegistration.Endpoint(name, protocol, host, port));
        }
        return endpoints;
    }

    /** /controller: who the controller is, since when. */
    static byte[] controller(int brokerId, long timestampMs) {
        return bytes(JSON.createObjectBuilder().add("version", 1).add("brokerid", brokerId)
                .add("timestamp", Long.toString(timestampMs)));
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
        return bytes(JSON.createObjectBuilder().add("version", "1").add("id", id));
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
    private static JsonObject parse(byte[] data) {
        // decoded first, so that a syntax error's offset counts characters of the text it quotes
        String text = new String(data, StandardCharsets.UTF_8);
        try (jakarta.json.JsonReader reader = JSON.createReader(new StringReader(text))) {
            return reader.readObject();
        } catch (JsonException e) {
            throw new IllegalArgumentException(e.getMessage() + " in " + text, e);
        }
    }

    /** Compact, members in the order added: byte for byte as Kafka writes them. */
    private static byte[] bytes(JsonObjectBuilder json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (jakarta.json.JsonWriter writer = JSON.createWriter(out)) {
            writer.write(json.build());
        }
        return out.toByteArray();
    }

    /** A string, number or boolean member as text; null when absent, null, an object or an array. */
    private static String scalar(JsonObject fields, String name) {
        JsonValue value = fields.get(name);
        if (value instanceof JsonString s) {
            return s.getString();
        }
        return value instanceof JsonNumber || value == JsonValue.TRUE || value == JsonValue.FALSE ? value.toString() : null;
    }
}
