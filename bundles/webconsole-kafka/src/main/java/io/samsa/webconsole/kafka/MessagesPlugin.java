package io.samsa.webconsole.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The Messages page: one partition's records from an offset, a time, the start or the end,
 * newest or oldest first, N at a time, shown as text, JSON or hex, optionally filtered by key or
 * substring; and a form that produces a record.
 */
@Component(service = Servlet.class, property = {"felix.webconsole.label=" + MessagesPlugin.LABEL,
        "felix.webconsole.title=Messages", "felix.webconsole.category=" + ConsolePlugin.CATEGORY})
public final class MessagesPlugin extends ConsolePlugin {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "samsa-messages";

    @Activate
    public MessagesPlugin(@Reference(name = "kafka") KafkaConnection kafka) {
        super(LABEL, kafka);
    }

    @Override
    void render(HttpServletRequest request, Html page) {
        String topic = parameter(request, "topic", "");
        String partitionText = parameter(request, "partition", "0");
        String start = parameter(request, "start", "latest");
        String at = parameter(request, "at", "");
        String order = parameter(request, "order", "newest");
        String countText = parameter(request, "count", "20");
        String format = parameter(request, "format", "text");
        String key = parameter(request, "key", "");
        String contains = parameter(request, "contains", "");
        String self = root(request, LABEL);

        page.raw("<form method=\"get\" action=\"").text(self).raw("\" id=\"browse\">")
                .input("Topic", "topic", topic, "required")
                .input("Partition", "partition", partitionText, "size=\"4\"")
                .select("From", "start", start, "latest", "earliest", "offset", "timestamp")
                .input("offset / time", "at", at, "size=\"22\" placeholder=\"offset, epoch ms or ISO time\"")
                .select("Order", "order", order, "newest", "oldest")
                .input("Count", "count", countText, "size=\"4\"")
                .select("Show as", "format", format, "text", "json", "hex")
                .raw("<br>").input("Key equals", "key", key, "size=\"16\"")
                .input("Contains", "contains", contains, "size=\"16\"")
                .raw("<button type=\"submit\" id=\"browse-button\">Show</button></form>");
        if (!topic.isEmpty()) {
            browse(request, page, topic, partitionText, start, at, order, countText, format, key, contains);
        }
        produceForm(request, page, topic, partitionText);
    }

    private void browse(HttpServletRequest request, Html page, String topic, String partitionText, String start, String at,
            String order, String countText, String formatName, String key, String contains) {
        int partition;
        int count;
        PartitionBrowser.Start from;
        PartitionBrowser.Order direction;
        RecordFormat format;
        try {
            partition = number(partitionText, "partition", 0, Integer.MAX_VALUE);
            count = number(countText, "count", 1, 1000);
            from = PartitionBrowser.Start.parse(start, at);
            direction = order.equalsIgnoreCase("oldest") ? PartitionBrowser.Order.OLDEST : PartitionBrowser.Order.NEWEST;
            format = RecordFormat.parse(formatName);
        } catch (IllegalArgumentException e) {
            page.notice("error", e.getMessage());
            return;
        }
        try {
            checkPartition(topic, partition);
        } catch (KafkaCallException | IllegalArgumentException e) {
            page.notice("error", e.getMessage());
            return;
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        PartitionBrowser.Page shown;
        try (KafkaConnection.PartitionReader reader = kafka.reader(tp)) {
            shown = PartitionBrowser.read(reader, from, direction, count, new PartitionBrowser.Filter(key, contains));
        } catch (RuntimeException e) {
            page.notice("error", "Cannot read " + tp + ": " + KafkaCallException.describe(e));
            return;
        }
        page.raw("<p class=\"statline\" id=\"browse-status\">").text(tp + ": offsets " + shown.beginning() + " to "
                + shown.end() + "; " + shown.records().size() + " shown, " + shown.scanned() + " read"
                + (shown.budgetExhausted() ? " (stopped after " + PartitionBrowser.SCAN_BUDGET + " records: continue below)" : ""))
                .raw("</p>");
        page.raw("<table class=\"nicetable\" id=\"messages\">").headerRow("Offset", "Timestamp", "Key", "Value", "Headers")
                .raw("<tbody>");
        for (ConsumerRecord<byte[], byte[]> record : shown.records()) {
            Html headers = new Html();
            for (Header header : record.headers()) {
                headers.raw("<div>").text(header.key()).raw(": ").text(format.render(header.value())).raw("</div>");
            }
            page.row(record.offset(), Instant.ofEpochMilli(record.timestamp()).toString(), cell(format.render(record.key())),
                    cell(format.render(record.value())), headers);
        }
        page.raw("</tbody></table>");
        if (shown.next() >= 0) {
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("topic", topic);
            query.put("partition", partition);
            query.put("start", "offset");
            query.put("at", shown.next());
            query.put("order", direction == PartitionBrowser.Order.OLDEST ? "oldest" : "newest");
            query.put("count", count);
            query.put("format", formatName);
            query.put("key", key.isEmpty() ? null : key);
            query.put("contains", contains.isEmpty() ? null : contains);
            page.raw("<p><a id=\"more\" href=\"").text(Html.link(root(request, LABEL), query)).raw("\">")
                    .text(direction == PartitionBrowser.Order.OLDEST ? "newer messages »" : "older messages »").raw("</a></p>");
        }
    }

    private void checkPartition(String topic, Integer partition) throws KafkaCallException {
        int count = kafka.partitionCount(topic);
        if (partition != null && partition >= count) {
            throw new IllegalArgumentException("topic " + topic + " has " + count + " partition(s), numbered 0 to "
                    + (count - 1) + ": there is no partition " + partition);
        }
    }

    private static Html cell(String rendered) {
        return rendered == null ? new Html().raw("<em class=\"samsa-null\">null</em>")
                : new Html().raw("<pre class=\"samsa-value\">").text(rendered).raw("</pre>");
    }

    private static void produceForm(HttpServletRequest request, Html page, String topic, String partition) {
        page.raw("<h3>Produce a message</h3><form method=\"post\" action=\"").text(root(request, LABEL)).raw("\" id=\"produce\">")
                .hidden("action", "produce")
                .input("Topic", "produceTopic", topic, "required")
                .input("Partition", "producePartition", partition, "size=\"4\" placeholder=\"any\"")
                .input("Key", "produceKey", null, "size=\"20\" placeholder=\"none\"")
                .raw("<br><label>Value<br><textarea name=\"produceValue\" id=\"produceValue\" rows=\"4\" cols=\"60\"></textarea></label>")
                .raw("<br><label>Headers, one <code>name: value</code> a line<br><textarea name=\"produceHeaders\" id=\"produceHeaders\""
                        + " rows=\"2\" cols=\"60\"></textarea></label>")
                .raw("<br><button type=\"submit\" id=\"produce-button\">Produce</button></form>");
    }

    @Override
    Outcome change(String action, HttpServletRequest request) {
        if (!action.equals("produce")) {
            return Outcome.error("unknown action '" + action + "'", Map.of());
        }
        String topic = required(request, "produceTopic", "the topic to produce to");
        String partitionText = parameter(request, "producePartition", "");
        Integer partition = partitionText.isEmpty() ? null : number(partitionText, "partition", 0, Integer.MAX_VALUE);
        String key = request.getParameter("produceKey");
        String value = request.getParameter("produceValue");
        RecordHeaders headers = headers(request.getParameter("produceHeaders"));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null,
                key == null || key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers);
        Map<String, String> back = query("topic", topic, "partition", partition == null ? "0" : String.valueOf(partition));
        try {
            checkPartition(topic, partition);
            RecordMetadata written = kafka.producer().send(record).get(KafkaConnection.CALL_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return Outcome.ok("Produced to " + written.topic() + "-" + written.partition() + " at offset " + written.offset(),
                    query("topic", topic, "partition", String.valueOf(written.partition())));
        } catch (KafkaCallException e) {
            return Outcome.error(e.getMessage(), back);
        } catch (ExecutionException e) {
            return Outcome.error(KafkaCallException.describe(e.getCause()), back);
        } catch (TimeoutException e) {
            return Outcome.error(KafkaCallException.describe(e), back);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.error("interrupted", back);
        } catch (IllegalArgumentException e) {
            return Outcome.error(e.getMessage(), back);
        } catch (RuntimeException e) {
            return Outcome.error(KafkaCallException.describe(e), back);
        }
    }

    /** {@code name: value} lines (the first colon separates). */
    static RecordHeaders headers(String text) {
        RecordHeaders headers = new RecordHeaders();
        if (text == null) {
            return headers;
        }
        int line = 0;
        for (String raw : text.split("\r?\n")) {
            line++;
            if (raw.isBlank()) {
                continue;
            }
            int colon = raw.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("header line " + line + " is not name: value: '" + raw.trim() + "'");
            }
            headers.add(raw.substring(0, colon).trim(), raw.substring(colon + 1).trim().getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

}
