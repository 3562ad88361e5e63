package io.samsa.webconsole.kafka;

import static io.samsa.webconsole.kafka.KafkaConnection.await;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The Consumer groups page: groups with state, members and total lag, searched and paged on the
 * server (a page costs one describe, one committed-offsets and one end-offsets call, whatever
 * the number of groups); a group's members and assignment, committed offset, log end and lag
 * per partition; offset reset with a preview before it is applied; delete.
 */
@Component(service = Servlet.class, property = {"felix.webconsole.label=" + GroupsPlugin.LABEL,
        "felix.webconsole.title=Consumer groups", "felix.webconsole.category=" + ConsolePlugin.CATEGORY})
public final class GroupsPlugin extends ConsolePlugin {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "samsa-groups";
    static final int PAGE_SIZE = 50;
    /** A group's page reads at most this many records to tell its lag in time. */
    static final int TIME_LAG_PARTITIONS = 200;
    private static final java.time.Duration TIME_LAG_DEADLINE = java.time.Duration.ofSeconds(3);

    @Activate
    public GroupsPlugin(@Reference(name = "kafka") KafkaConnection kafka) {
        super(LABEL, kafka);
    }

    @Override
    void render(HttpServletRequest request, Html page) throws KafkaCallException {
        String group = request.getParameter("group");
        if (group == null || group.isBlank()) {
            list(request, page);
        } else {
            detail(request, page, group.trim());
        }
    }

    private void list(HttpServletRequest request, Html page) throws KafkaCallException {
        Admin admin = kafka.admin();
        String search = parameter(request, "search", "");
        int pageNumber = number(request, "page", "page", 1, 1, Integer.MAX_VALUE);
        Map<String, GroupListing> listed = new HashMap<>();
        for (GroupListing g : await(admin.listGroups().all())) {
            // consumer groups only: classic groups of protocol "consumer" and KIP-848 groups
            if (g.protocol() == null || g.protocol().isEmpty() || g.protocol().equals("consumer")
                    || g.type().map(t -> t.toString().equalsIgnoreCase("consumer")).orElse(false)) {
                listed.put(g.groupId(), g);
            }
        }
        NamePage shown = NamePage.of(listed.keySet(), search, pageNumber, PAGE_SIZE);
        Map<String, ConsumerGroupDescription> described = shown.names().isEmpty() ? Map.of()
                : await(admin.describeConsumerGroups(shown.names()).all());
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = committed(admin, shown.names());
        Set<TopicPartition> partitions = new HashSet<>();
        committed.values().forEach(m -> partitions.addAll(m.keySet()));
        Map<TopicPartition, Long> ends = ends(admin, partitions);

        String self = root(request, LABEL);
        page.raw("<form method=\"get\" action=\"").text(self).raw("\">").input("Search", "search", search, "placeholder=\"part of a group id\"")
                .raw("<button type=\"submit\" id=\"search-button\">Search</button></form>");
        page.raw("<p class=\"statline\" id=\"group-count\">").text(shown.matching() + " of " + listed.size()
                + " consumer groups match; page " + shown.page() + " of " + shown.pages()).raw("</p>");
        page.raw("<table class=\"nicetable\" id=\"groups\">").headerRow("Group", "State", "Members", "Topics", "Total lag")
                .raw("<tbody>");
        for (String id : shown.names()) {
            ConsumerGroupDescription d = described.get(id);
            Map<TopicPartition, OffsetAndMetadata> offsets = committed.getOrDefault(id, Map.of());
            String topics = offsets.keySet().stream().map(TopicPartition::topic).collect(Collectors.toCollection(TreeSet::new))
                    .stream().collect(Collectors.joining(", "));
            page.row(new Html().anchor(Html.link(self, Map.of("group", id)), id),
                    d == null ? String.valueOf(listed.get(id).groupState().orElse(null)) : String.valueOf(d.groupState()),
                    d == null ? "?" : d.members().size(), topics, lagText(totalLag(offsets, ends)));
        }
        page.raw("</tbody></table>");
        page.raw("<p class=\"samsa-pager\">");
        if (shown.page() > 1) {
            page.anchor(Html.link(self, pageQuery(search, shown.page() - 1)), "« previous").raw(" ");
        }
        if (shown.page() < shown.pages()) {
            page.anchor(Html.link(self, pageQuery(search, shown.page() + 1)), "next »");
        }
        page.raw("</p>");
    }

    private static Map<String, Object> pageQuery(String search, int pageNumber) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("search", search.isEmpty() ? null : search);
        query.put("page", pageNumber);
        return query;
    }

    /**
     * How far behind a partition's consumers are in time: the age of its oldest unconsumed
     * record (null: not read, e.g. past the {@link #TIME_LAG_PARTITIONS} asked).
     */
    static String timeLag(long now, Long oldestUnconsumedTimestamp) {
        if (oldestUnconsumedTimestamp == null || oldestUnconsumedTimestamp < 0) {
            return "?";
        }
        long seconds = Math.max(0, now - oldestUnconsumedTimestamp) / 1000;
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min";
        }
        if (seconds < 172_800) {
            return seconds / 3600 + " h";
        }
        return seconds / 86_400 + " d";
    }

    /** The lag summed over partitions; -1 when some log end is unknown. */
    static long totalLag(Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> ends) {
        long total = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            Long end = ends.get(e.getKey());
            if (end == null || e.getValue() == null) {
                return -1;
            }
            total += Math.max(0, end - e.getValue().offset());
        }
        return total;
    }

    private static String lagText(long lag) {
        return lag < 0 ? "?" : String.valueOf(lag);
    }

    private static Map<String, Map<TopicPartition, OffsetAndMetadata>> committed(Admin admin, Collection<String> groups) {
        if (groups.isEmpty()) {
            return Map.of();
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        try {
            Map<String, Map<TopicPartition, OffsetAndMetadata>> all = await(admin.listConsumerGroupOffsets(specs).all());
            Map<String, Map<TopicPartition, OffsetAndMetadata>> present = new HashMap<>();
            all.forEach((g, m) -> {
                Map<TopicPartition, OffsetAndMetadata> kept = new HashMap<>();
                m.forEach((tp, o) -> {
                    if (o != null) {
                        kept.put(tp, o);
                    }
                });
                present.put(g, kept);
            });
            return present;
        } catch (KafkaCallException e) {
            LOG.debug("Committed offsets unavailable: {}", e.getMessage());
            return Map.of();
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin, Collection<TopicPartition> partitions) {
        return offsets(admin, partitions, OffsetSpec.latest());
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (partitions.isEmpty()) {
            return offsets;
        }
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, spec));
        try {
            await(admin.listOffsets(specs).all()).forEach((tp, info) -> offsets.put(tp, info.offset()));
        } catch (KafkaCallException e) {
            // a deleted topic fails the whole call: ask partition by partition for the others
            for (TopicPartition tp : partitions) {
                try {
                    offsets.put(tp, await(admin.listOffsets(Map.of(tp, spec)).partitionResult(tp)).offset());
                } catch (KafkaCallException ignored) {
                    LOG.debug("No offset for {}: {}", tp, ignored.getMessage());
                }
            }
        }
        return offsets;
    }

    private void detail(HttpServletRequest request, Html page, String group) throws KafkaCallException {
        Admin admin = kafka.admin();
        String self = root(request, LABEL);
        ConsumerGroupDescription d = await(admin.describeConsumerGroups(List.of(group)).all()).get(group);
        Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, List.of(group)).getOrDefault(group, Map.of());
        Map<TopicPartition, Long> ends = ends(admin, committed.keySet());
        Map<TopicPartition, String> owners = new HashMap<>();
        for (MemberDescription m : d.members()) {
            m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m.consumerId()));
        }

        page.raw("<h2 id=\"group-id\">").text(group).raw("</h2><p class=\"statline\" id=\"group-state\">")
                .text("State " + d.groupState() + ", " + d.members().size() + " member(s), assignor "
                        + (d.partitionAssignor() == null || d.partitionAssignor().isEmpty() ? "none" : d.partitionAssignor())
                        + ", coordinator " + (d.coordinator() == null ? "?" : d.coordinator().id()) + ", total lag "
                        + lagText(totalLag(committed, ends)))
                .raw("</p>");

        page.raw("<h3>Members</h3><table class=\"nicetable\" id=\"members\">")
                .headerRow("Member", "Instance id", "Client id", "Host", "Assigned partitions").raw("<tbody>");
        for (MemberDescription m : d.members()) {
            page.row(m.consumerId(), m.groupInstanceId().orElse(""), m.clientId(), m.host(),
                    m.assignment().topicPartitions().stream().map(TopicPartition::toString).sorted().collect(Collectors.joining(", ")));
        }
        page.raw("</tbody></table>");

        Map<TopicPartition, Long> behind = new HashMap<>();
        committed.forEach((tp, o) -> {
            Long end = ends.get(tp);
            if (end != null && end > o.offset() && behind.size() < TIME_LAG_PARTITIONS) {
                behind.put(tp, o.offset());
            }
        });
        long now = System.currentTimeMillis();
        Map<TopicPartition, Long> oldestUnconsumed = kafka.timestampsAt(behind, TIME_LAG_DEADLINE);
        List<TopicPartition> sorted = new ArrayList<>(committed.keySet());
        sorted.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        page.raw("<h3>Offsets</h3><table class=\"nicetable\" id=\"offsets\">")
                .headerRow("Topic", "Partition", "Committed offset", "Log end offset", "Lag", "Lag in time", "Member").raw("<tbody>");
        for (TopicPartition tp : sorted) {
            long offset = committed.get(tp).offset();
            Long end = ends.get(tp);
            String timeLag = end != null && end <= offset ? "0 s" : timeLag(now, oldestUnconsumed.get(tp));
            page.row(tp.topic(), tp.partition(), offset, end == null ? "?" : end, end == null ? "?" : Math.max(0, end - offset),
                    timeLag, owners.getOrDefault(tp, ""));
        }
        page.raw("</tbody></table>");

        String strategy = parameter(request, "strategy", "");
        if (!strategy.isEmpty()) {
            preview(request, page, admin, group, d, committed, strategy);
        }
        resetForm(request, page, group, committed);
        page.raw("<h3>Delete</h3><form method=\"post\" action=\"").text(self).raw("\" id=\"delete-group\">")
                .hidden("action", "delete").hidden("group", group)
                .raw("<label><input type=\"checkbox\" name=\"confirm\" id=\"confirm-delete-group\" required> I want to delete group ")
                .text(group).raw(" and its committed offsets</label> <button type=\"submit\" id=\"delete-group-button\">Delete group</button></form>");
    }

    private static void resetForm(HttpServletRequest request, Html page, String group, Map<TopicPartition, OffsetAndMetadata> committed) {
        String topics = committed.keySet().stream().map(TopicPartition::topic).distinct().sorted().collect(Collectors.joining(","));
        page.raw("<h3>Reset offsets</h3><form method=\"get\" action=\"").text(root(request, LABEL)).raw("\" id=\"reset\">")
                .hidden("group", group)
                .input("Topics (comma-separated)", "topics", parameter(request, "topics", topics), "size=\"30\"")
                .select("To", "strategy", parameter(request, "strategy", "earliest"), "earliest", "latest", "timestamp", "offset")
                .input("Timestamp (epoch ms) or offset", "value", parameter(request, "value", ""), "size=\"16\"")
                .raw("<button type=\"submit\" id=\"preview-button\">Preview (dry run)</button></form>");
    }

    /** The dry run: where each partition would move; the Apply button posts the same choice. */
    private void preview(HttpServletRequest request, Html page, Admin admin, String group, ConsumerGroupDescription d,
            Map<TopicPartition, OffsetAndMetadata> committed, String strategyName) {
        List<OffsetReset.Move> moves;
        try {
            moves = plan(admin, group, committed, parameter(request, "topics", ""), strategyName, request.getParameter("value"));
        } catch (IllegalArgumentException | KafkaCallException e) {
            page.notice("error", e.getMessage());
            return;
        }
        page.raw("<h3>Dry run: reset to ").text(strategyName).raw("</h3><table class=\"nicetable\" id=\"reset-preview\">")
                .headerRow("Topic", "Partition", "Committed now", "Would become").raw("<tbody>");
        for (OffsetReset.Move m : moves) {
            page.row(m.partition().topic(), m.partition().partition(), m.current() == null ? "none" : m.current(), m.target());
        }
        page.raw("</tbody></table>");
        if (!d.members().isEmpty()) {
            page.raw("<p class=\"samsa-warning\">").text("The group has " + d.members().size() + " active member(s) (state "
                    + d.groupState() + "): Kafka resets offsets only of an empty group, so stop its consumers first.").raw("</p>");
        }
        page.raw("<form method=\"post\" action=\"").text(root(request, LABEL)).raw("\" id=\"apply-reset\">")
                .hidden("action", "reset").hidden("group", group).hidden("topics", parameter(request, "topics", ""))
                .hidden("strategy", strategyName).hidden("value", request.getParameter("value"))
                .raw("<button type=\"submit\" id=\"apply-button\">Apply this reset</button></form>");
    }

    private List<OffsetReset.Move> plan(Admin admin, String group, Map<TopicPartition, OffsetAndMetadata> committed,
            String topicList, String strategyName, String valueText) throws KafkaCallException {
        OffsetReset.Strategy strategy = OffsetReset.Strategy.parse(strategyName);
        long value = OffsetReset.value(strategy, valueText);
        Set<String> topics = new TreeSet<>();
        for (String t : topicList.split(",")) {
            if (!t.isBlank()) {
                topics.add(t.trim());
            }
        }
        if (topics.isEmpty()) {
            committed.keySet().forEach(tp -> topics.add(tp.topic()));
        }
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("group " + group + " has no committed offsets: name the topics to reset");
        }
        Map<String, TopicDescription> described = await(admin.describeTopics(topics).allTopicNames());
        List<TopicPartition> partitions = new ArrayList<>();
        described.forEach((name, td) -> {
            for (TopicPartitionInfo p : td.partitions()) {
                partitions.add(new TopicPartition(name, p.partition()));
            }
        });
        Map<TopicPartition, Long> current = new HashMap<>();
        committed.forEach((tp, o) -> current.put(tp, o.offset()));
        Map<TopicPartition, Long> atTime = strategy == OffsetReset.Strategy.TIMESTAMP
                ? offsets(admin, partitions, OffsetSpec.forTimestamp(value)) : Map.of();
        return OffsetReset.plan(strategy, value, partitions, current, offsets(admin, partitions, OffsetSpec.earliest()),
                offsets(admin, partitions, OffsetSpec.latest()), atTime);
    }

    /** Why Kafka refused a reset, when it is the usual reason: the group still has members. */
    private static String activeMembers(Admin admin, String group) {
        try {
            ConsumerGroupDescription d = await(admin.describeConsumerGroups(List.of(group)).all()).get(group);
            return d.members().isEmpty() ? "" : " (group " + group + " is " + d.groupState() + " with " + d.members().size()
                    + " member(s); Kafka resets offsets only of an empty group: stop its consumers first)";
        } catch (KafkaCallException e) {
            return "";
        }
    }

    @Override
    Outcome change(String action, HttpServletRequest request) {
        Admin admin = kafka.admin();
        String group = required(request, "group", "the group");
        try {
            switch (action) {
                case "reset" -> {
                    Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, List.of(group)).getOrDefault(group, Map.of());
                    List<OffsetReset.Move> moves = plan(admin, group, committed, parameter(request, "topics", ""),
                            required(request, "strategy", "where to reset to"), request.getParameter("value"));
                    Map<TopicPartition, OffsetAndMetadata> target = new LinkedHashMap<>();
                    moves.forEach(m -> target.put(m.partition(), new OffsetAndMetadata(m.target())));
                    try {
                        await(admin.alterConsumerGroupOffsets(group, target).all());
                    } catch (KafkaCallException e) {
                        return Outcome.error(e.getMessage() + activeMembers(admin, group), query("group", group));
                    }
                    return Outcome.ok("Reset " + moves.size() + " partition(s) of group " + group + ": "
                            + moves.stream().map(m -> m.partition() + "→" + m.target()).collect(Collectors.joining(", ")),
                            query("group", group));
                }
                case "delete" -> {
                    if (request.getParameter("confirm") == null) {
                        return Outcome.error("tick the confirmation to delete group " + group, query("group", group));
                    }
                    await(admin.deleteConsumerGroups(List.of(group)).all());
                    return Outcome.ok("Deleted consumer group " + group, Map.of());
                }
                default -> {
                    return Outcome.error("unknown action '" + action + "'", query("group", group));
                }
            }
        } catch (KafkaCallException e) {
            return Outcome.error(e.getMessage(), query("group", group));
        } catch (IllegalArgumentException e) {
            return Outcome.error(e.getMessage(), query("group", group));
        }
    }
}
