package io.samsa.coordination.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.samsa.api.coordination.BrokerRegistration;

/**
 * The small JSON documents stored in znodes, in the shapes Kafka 2.x used, so that people and
 * tools familiar with Kafka's ZooKeeper tree can read them. Reading accepts any JSON object and
 * looks at its top-level string, number and null members only.
 */
final class ZNodeJson {

    private ZNodeJson() {
    }

    /** /brokers/ids/&lt;id&gt;: version 5 of Kafka's broker registration. */
    static byte[] broker(BrokerRegistration registration, long timestampMs) {
        String hostPort = (registration.host().indexOf(':') >= 0 ? "[" + registration.host() + "]"
                : registration.host()) + ":" + registration.port();
        StringBuilder json = new StringBuilder(192)
                .append("{\"version\":5,\"host\":").append(quote(registration.host()))
                .append(",\"port\":").append(registration.port())
                .append(",\"jmx_port\":-1")
                .append(",\"timestamp\":").append(quote(Long.toString(timestampMs)))
                .append(",\"endpoints\":[").append(quote("PLAINTEXT://" + hostPort)).append(']')
                .append(",\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"}")
                .append(",\"features\":{}");
        registration.rack().ifPresent(rack -> json.append(",\"rack\":").append(quote(rack)));
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a broker registration; the epoch is the znode's creation zxid, which JSON does not hold. */
    static BrokerRegistration parseBroker(int brokerId, byte[] data, long epoch) {
        Map<String, String> fields = parse(data);
        String host = fields.get("host");
        String port = fields.get("port");
        if (host == null || port == null) {
            throw new IllegalArgumentException("broker " + brokerId + " registration has no host or port: "
                    + new String(data, StandardCharsets.UTF_8));
        }
        return new BrokerRegistration(brokerId, host, Integer.parseInt(port),
                Optional.ofNullable(fields.get("rack")).filter(r -> !r.isEmpty()), epoch);
    }

    /** /controller: who the controller is, since when. */
    static byte[] controller(int brokerId, long timestampMs) {
        return ("{\"version\":1,\"brokerid\":" + brokerId + ",\"timestamp\":\"" + timestampMs + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static int parseControllerId(byte[] data) {
        String id = parse(data).get("brokerid");
        if (id == null) {
            throw new IllegalArgumentException("/controller has no brokerid: " + new String(data, StandardCharsets.UTF_8));
        }
        return Integer.parseInt(id);
    }

    /** /cluster/id. */
    static byte[] clusterId(String id) {
        return ("{\"version\":\"1\",\"id\":" + quote(id) + "}").getBytes(StandardCharsets.UTF_8);
    }

    static String parseClusterId(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8).trim();
        if (!text.startsWith("{")) {
            return text; // a bare id, written by hand
        }
        String id = parse(data).get("id");
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("/cluster/id has no id: " + text);
        }
        return id;
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * The top-level members of a JSON object whose values are strings, numbers or literals
     * (null maps to no entry); nested objects and arrays are skipped.
     */
    static Map<String, String> parse(byte[] data) {
        return new Reader(new String(data, StandardCharsets.UTF_8)).object();
    }

    private static final class Reader {
        private final String s;
        private int pos;

        Reader(String s) {
            this.s = s;
        }

        Map<String, String> object() {
            Map<String, String> fields = new HashMap<>();
            expect('{');
            if (peek() == '}') {
                pos++;
                return fields;
            }
            while (true) {
                String key = string();
                expect(':');
                char c = peek();
                if (c == '{' || c == '[') {
                    skipNested();
                } else if (c == '"') {
                    fields.put(key, string());
                } else {
                    String literal = literal();
                    if (!"null".equals(literal)) {
                        fields.put(key, literal);
                    }
                }
                char next = next();
                if (next == '}') {
                    return fields;
                }
                if (next != ',') {
                    throw error("',' or '}'");
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            }
            throw error("end of string");
        }

        private String literal() {
            int start = pos;
            while (pos < s.length() && ",}] \t\r\n".indexOf(s.charAt(pos)) < 0) {
                pos++;
            }
            if (start == pos) {
                throw error("a value");
            }
            return s.substring(start, pos);
        }

        private void skipNested() {
            int depth = 0;
            do {
                char c = peek();
                if (c == '"') {
                    string();
                    continue;
                }
                pos++;
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                }
            } while (depth > 0);
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("'" + c + "'");
            }
        }

        private char next() {
            char c = peek();
            pos++;
            return c;
        }

        private char peek() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
            if (pos >= s.length()) {
                throw error("more input");
            }
            return s.charAt(pos);
        }

        private IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("Malformed JSON (expected " + expected + " at " + pos + "): " + s);
        }
    }
}
