package io.samsa.webconsole.kafka;

import static io.samsa.webconsole.kafka.KafkaConnection.await;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The Topics page: every topic with partitions, replication factor and size, searched and paged
 * on the server; a topic's partitions (leader, replicas, ISR, offsets) and configs (with where
 * each value comes from, editable); create, delete, add partitions.
 */
@Component(service = Servlet.class, property = {"felix.webconsole.label=" + TopicsPlugin.LABEL,
        "felix.webconsole.title=Topics", "felix.webconsole.category=" + ConsolePlugin.CATEGORY})
public final class TopicsPlugin extends ConsolePlugin {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "samsa-topics";
    static final int PAGE_SIZE = 50;

    @Activate
    public TopicsPlugin(@Reference(name = "kafka") KafkaConnection kafka) {
        super(LABEL, kafka);
    }

    @Override
    void render(HttpServletRequest request, Html page) throws KafkaCallException {
        String topic = request.getParameter("topic");
        if (topic == null || topic.isBlank()) {
            list(request, page);
        } else if (request.getParameter("confirmDelete") != null) {
            confirmDelete(request, page, topic);
        } else {
            detail(request, page, topic);
        }
    }

    private void list(HttpServletRequest request, Html page) throws KafkaCallException {
        Admin admin = kafka.admin();
        boolean internal = request.getParameter("internal") != null;
        String search = parameter(request, "search", "");
        int pageNumber = number(request, "page", "page", 1, 1, Integer.MAX_VALUE);
        Set<String> names = await(admin.listTopics(new ListTopicsOptions().listInternal(internal)).names());
        NamePage shown = NamePage.of(names, search, pageNumber, PAGE_SIZE);
        Map<String, TopicDescription> described = shown.names().isEmpty() ? Map.of()
                : await(admin.describeTopics(shown.names()).allTopicNames());
        Map<String, Long> sizes = sizes(admin, Set.copyOf(shown.names()));

        String self = root(request, LABEL);
        page.raw("<form method=\"get\" action=\"").text(self).raw("\" class=\"samsa-search\">")
                .input("Search", "search", search, "placeholder=\"part of a topic name\"")
                .raw("<label><input type=\"checkbox\" name=\"internal\"").raw(internal ? " checked" : "").raw("> internal topics</label> ")
                .raw("<button type=\"submit\" id=\"search-button\">Search</button></form>");
        page.raw("<p class=\"statline\" id=\"topic-count\">").text(shown.matching() + " of " + names.size() + " topics match; page "
                + shown.page() + " of " + shown.pages()).raw("</p>");
        page.raw("<table class=\"nicetable\" id=\"topics\">")
                .headerRow("Topic", "Partitions", "Replication factor", "Size (all replicas)", "Under-replicated").raw("<tbody>");
        for (String name : shown.names()) {
            TopicDescription d = described.get(name);
            if (d == null) {
                page.row(name, "?", "?", "?", "?");
                continue;
            }
            int rf = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
            long under = d.partitions().stream().filter(p -> p.isr().size() < p.replicas().size()).count();
            page.row(new Html().anchor(Html.link(self, Map.of("topic", name)), name), d.partitions().size(), rf,
                    bytes(sizes.getOrDefault(name, -1L)), under);
        }
        page.raw("</tbody></table>");
        pager(page, self, search, internal, shown);
        createForm(request, page);
    }

    private static void pager(Html page, String self, String search, boolean internal, NamePage shown) {
        page.raw("<p class=\"samsa-pager\">");
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("search", search.isEmpty() ? null : search);
        query.put("internal", internal ? "on" : null);
        if (shown.page() > 1) {
            query.put("page", shown.page() - 1);
            page.raw("<a id=\"previous-page\" href=\"").text(Html.link(self, query)).raw("\">&laquo; previous</a> ");
        }
        if (shown.page() < shown.pages()) {
            query.put("page", shown.page() + 1);
            page.raw("<a id=\"next-page\" href=\"").text(Html.link(self, query)).raw("\">next &raquo;</a>");
        }
        page.raw("</p>");
    }

    private void createForm(HttpServletRequest request, Html page) {
        page.raw("<h3>Create a topic</h3><form method=\"post\" action=\"").text(root(request, LABEL))
                .raw("\" id=\"create-topic\">").hidden("action", "create")
                .input("Name", "name", null, "required")
                .input("Partitions", "partitions", "1", "size=\"5\"")
                .input("Replication factor", "replicationFactor", "1", "size=\"3\"")
                .raw("<br><label>Configs, one <code>key=value</code> a line<br><textarea name=\"configs\" id=\"configs\" rows=\"3\" cols=\"50\"></textarea></label><br>")
                .raw("<button type=\"submit\" id=\"create-button\">Create</button></form>");
    }

    /** Bytes per topic over every broker's log dirs (all replicas), for the given topics only. */
    private static Map<String, Long> sizes(Admin admin, Set<String> topics) {
        Map<String, Long> sizes = new HashMap<>();
        if (topics.isEmpty()) {
            return sizes;
        }
        try {
            List<Integer> brokers = await(admin.describeCluster().nodes()).stream().map(Node::id).toList();
            Map<Integer, Map<String, LogDirDescription>> dirs = await(admin.describeLogDirs(brokers).allDescriptions());
            for (Map<String, LogDirDescription> byDir : dirs.values()) {
                for (LogDirDescription dir : byDir.values()) {
                    dir.replicaInfos().forEach((tp, info) -> {
                        if (topics.contains(tp.topic())) {
                            sizes.merge(tp.topic(), info.size(), Long::sum);
                        }
                    });
                }
            }
        } catch (KafkaCallException e) {
            LOG.debug("Topic sizes unavailable: {}", e.getMessage());
        }
        return sizes;
    }

    private void detail(HttpServletRequest request, Html page, String topic) throws KafkaCallException {
        Admin admin = kafka.admin();
        String self = root(request, LABEL);
        TopicDescription d = await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        page.raw("<h2 id=\"topic-name\">").text(topic).raw("</h2>");
        page.raw("<p class=\"statline\">").text("id " + d.topicId() + (d.isInternal() ? ", internal" : "")).raw(" &middot; ")
                .anchor(Html.link(root(request, MessagesPlugin.LABEL), Map.of("topic", topic)), "browse messages").raw(" &middot; ")
                .anchor(Html.link(self, Map.of("topic", topic, "confirmDelete", "yes")), "delete topic").raw("</p>");

        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> low = offsets(admin, earliest);
        Map<TopicPartition, Long> high = offsets(admin, latest);
        page.raw("<h3>Partitions</h3><table class=\"nicetable\" id=\"partitions\">")
                .headerRow("Partition", "Leader", "Replicas", "In-sync replicas", "Earliest offset", "Latest offset", "Messages")
                .raw("<tbody>");
        for (TopicPartitionInfo p : d.partitions()) {
            TopicPartition tp = new TopicPartition(topic, p.partition());
            Long l = low.get(tp);
            Long h = high.get(tp);
            page.row(new Html().anchor(Html.link(root(request, MessagesPlugin.LABEL), Map.of("topic", topic, "partition", p.partition())),
                            String.valueOf(p.partition())),
                    p.leader() == null || p.leader().id() < 0 ? "none (offline)" : String.valueOf(p.leader().id()),
                    ids(p.replicas()), ids(p.isr()), l == null ? "?" : l, h == null ? "?" : h,
                    l == null || h == null ? "?" : h - l);
        }
        page.raw("</tbody></table>");
        page.raw("<form method=\"post\" action=\"").text(self).raw("\" id=\"add-partitions\">").hidden("action", "addPartitions")
                .hidden("topic", topic).input("Partitions in total", "count", String.valueOf(d.partitions().size() + 1), "size=\"5\"")
                .raw("<button type=\"submit\">Add partitions</button> <span class=\"samsa-hint\">Keys then map to other"
                        + " partitions: per-key ordering holds only for records written after the change.</span></form>");

        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = await(admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)).all())
                .get(resource);
        page.raw("<h3>Configs</h3><table class=\"nicetable\" id=\"configs\">")
                .headerRow("Name", "Value", "Source", "Where the value comes from (most specific first)", "Change").raw("<tbody>");
        List<ConfigEntry> entries = new ArrayList<>(config.entries());
        entries.sort((a, b) -> a.name().compareTo(b.name()));
        for (ConfigEntry e : entries) {
            String value = e.isSensitive() ? "(sensitive)" : e.value();
            String synonyms = e.synonyms().stream().map(s -> s.source() + ": " + s.name() + "=" + (e.isSensitive() ? "…" : s.value()))
                    .collect(Collectors.joining("; "));
            Html change = new Html();
            if (!e.isReadOnly()) {
                change.raw("<form method=\"post\" action=\"").text(self).raw("\" class=\"samsa-inline\">").hidden("action", "alterConfig")
                        .hidden("topic", topic).hidden("name", e.name())
                        .raw("<input name=\"value\" size=\"14\" aria-label=\"new value of ").text(e.name()).raw("\" value=\"")
                        .text(e.isSensitive() ? "" : e.value()).raw("\"><button type=\"submit\">Set</button></form>");
                if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                    change.raw("<form method=\"post\" action=\"").text(self).raw("\" class=\"samsa-inline\">")
                            .hidden("action", "deleteConfig").hidden("topic", topic).hidden("name", e.name())
                            .raw("<button type=\"submit\">Use default</button></form>");
                }
            }
            page.row(e.name(), value, String.valueOf(e.source()), synonyms, change);
        }
        page.raw("</tbody></table>");
    }

    private void confirmDelete(HttpServletRequest request, Html page, String topic) {
        page.raw("<h2>Delete topic ").text(topic).raw("?</h2><p>Its messages are deleted with it; consumers of it get errors.</p>")
                .raw("<form method=\"post\" action=\"").text(root(request, LABEL)).raw("\" id=\"delete-topic\">")
                .hidden("action", "delete").hidden("topic", topic)
                .raw("<button type=\"submit\" id=\"confirm-delete\">Delete ").text(topic).raw("</button> ")
                .anchor(Html.link(root(request, LABEL), Map.of("topic", topic)), "cancel").raw("</form>");
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, Map<TopicPartition, OffsetSpec> specs) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try {
            await(admin.listOffsets(specs).all()).forEach((tp, info) -> offsets.put(tp, info.offset()));
        } catch (KafkaCallException e) {
            LOG.debug("Offsets unavailable: {}", e.getMessage());
        }
        return offsets;
    }

    private static String ids(Collection<Node> nodes) {
        return nodes.stream().map(n -> String.valueOf(n.id())).collect(Collectors.joining(", "));
    }

    @Override
    Outcome change(String action, HttpServletRequest request) {
        Admin admin = kafka.admin();
        String topic = action.equals("create") ? required(request, "name", "a topic name") : required(request, "topic", "the topic");
        try {
            switch (action) {
                case "create" -> {
                    try {
                        Topic.validate(topic);
                    } catch (InvalidTopicException e) {
                        return Outcome.error("Invalid topic name: " + e.getMessage(), Map.of());
                    }
                    int partitions = number(request, "partitions", "partitions", 1, 1, 1_000_000);
                    int rf = number(request, "replicationFactor", "replication factor", 1, 1, Short.MAX_VALUE);
                    Map<String, String> configs = configs(request.getParameter("configs"));
                    await(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) rf).configs(configs))).all());
                    return Outcome.ok("Created topic " + topic + " (" + partitions + " partitions, replication factor " + rf + ")",
                            query("topic", topic));
                }
                case "delete" -> {
                    await(admin.deleteTopics(List.of(topic)).all());
                    return Outcome.ok("Deleted topic " + topic, Map.of());
                }
                case "addPartitions" -> {
                    int count = number(request.getParameter("count"), "partitions in total", 1, 1_000_000);
                    await(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(count))).all());
                    return Outcome.ok("Topic " + topic + " now has " + count + " partitions", query("topic", topic));
                }
                case "alterConfig", "deleteConfig" -> {
                    String name = required(request, "name", "the config's name");
                    String value = request.getParameter("value");
                    boolean delete = action.equals("deleteConfig");
                    AlterConfigOp op = new AlterConfigOp(new ConfigEntry(name, delete ? null : Optional.ofNullable(value).orElse("")),
                            delete ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET);
                    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                    await(admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all());
                    return Outcome.ok(delete ? "Topic " + topic + ": " + name + " back to its default"
                            : "Topic " + topic + ": " + name + " set to " + value, query("topic", topic));
                }
                default -> {
                    return Outcome.error("unknown action '" + action + "'", Map.of());
                }
            }
        } catch (KafkaCallException e) {
            Map<String, String> back = action.equals("create") || action.equals("delete") && e.getMessage().contains("UnknownTopic")
                    ? Map.of() : query("topic", topic);
            return Outcome.error(e.getMessage(), back);
        } catch (IllegalArgumentException e) {
            return Outcome.error(e.getMessage(), action.equals("create") ? Map.of() : query("topic", topic));
        }
    }

    /** {@code key=value} lines; blank lines and {@code #} comments are skipped. */
    static Map<String, String> configs(String text) {
        Map<String, String> configs = new LinkedHashMap<>();
        if (text == null) {
            return configs;
        }
        int line = 0;
        for (String raw : text.split("\r?\n")) {
            line++;
            String entry = raw.trim();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("config line " + line + " is not key=value: '" + entry + "'");
            }
            configs.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return configs;
    }
}
