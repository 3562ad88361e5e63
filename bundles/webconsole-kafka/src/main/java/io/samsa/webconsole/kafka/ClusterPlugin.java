package io.samsa.webconsole.kafka;

import static io.samsa.webconsole.kafka.KafkaConnection.await;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The Cluster page: brokers with host, port and rack, the controller, each broker's log dirs
 * with their usage, and partition health counted from the metadata (under-replicated: fewer
 * in-sync replicas than replicas; under min ISR: fewer than the topic's min.insync.replicas;
 * offline: no leader).
 */
@Component(service = Servlet.class, property = {"felix.webconsole.label=" + ClusterPlugin.LABEL,
        "felix.webconsole.title=Cluster", "felix.webconsole.category=" + ConsolePlugin.CATEGORY})
public final class ClusterPlugin extends ConsolePlugin {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "samsa-cluster";

    @Activate
    public ClusterPlugin(@Reference(name = "kafka") KafkaConnection kafka) {
        super(LABEL, kafka);
    }

    /**
     * Partition counts by health. Under min ISR is a subset of under-replicated, so only the
     * topics with an under-replicated partition need their {@code min.insync.replicas}.
     */
    record Health(int topics, int partitions, int underReplicated, int underMinIsr, int offline) {
        static Health of(Collection<TopicDescription> topics, Map<String, Integer> minIsrByTopic) {
            int partitions = 0;
            int under = 0;
            int underMinIsr = 0;
            int offline = 0;
            for (TopicDescription topic : topics) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    partitions++;
                    if (p.leader() == null || p.leader().id() < 0) {
                        offline++;
                    }
                    if (p.isr().size() < p.replicas().size()) {
                        under++;
                        if (p.isr().size() < minIsrByTopic.getOrDefault(topic.name(), 1)) {
                            underMinIsr++;
                        }
                    }
                }
            }
            return new Health(topics.size(), partitions, under, underMinIsr, offline);
        }

        static Set<String> underReplicatedTopics(Collection<TopicDescription> topics) {
            Set<String> names = new TreeSet<>();
            for (TopicDescription topic : topics) {
                if (topic.partitions().stream().anyMatch(p -> p.isr().size() < p.replicas().size())) {
                    names.add(topic.name());
                }
            }
            return names;
        }
    }

    private static Map<String, Integer> minIsr(Admin admin, Set<String> topics) throws KafkaCallException {
        Map<String, Integer> minIsr = new HashMap<>();
        if (topics.isEmpty()) {
            return minIsr;
        }
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        await(admin.describeConfigs(resources).all()).forEach((resource, config) -> {
            ConfigEntry entry = config.get("min.insync.replicas");
            if (entry != null && entry.value() != null) {
                try {
                    minIsr.put(resource.name(), Integer.parseInt(entry.value()));
                } catch (NumberFormatException e) {
                    LOG.debug("min.insync.replicas of {} is not a number: {}", resource.name(), entry.value());
                }
            }
        });
        return minIsr;
    }

    @Override
    void render(HttpServletRequest request, Html page) throws KafkaCallException {
        Admin admin = kafka.admin();
        DescribeClusterResult cluster = admin.describeCluster();
        Collection<Node> nodes = await(cluster.nodes());
        Node controller = await(cluster.controller());
        page.raw("<p class=\"statline\" id=\"cluster-id\">").text("Cluster " + await(cluster.clusterId()) + ", controller "
                + (controller == null || controller.id() < 0 ? "none" : "broker " + controller.id())
                + ", console connected through " + kafka.bootstrap()).raw("</p>");
        page.raw("<h3>Brokers</h3><table class=\"nicetable\" id=\"brokers\">").headerRow("Id", "Host:port", "Rack", "Role")
                .raw("<tbody>");
        for (Node n : nodes) {
            page.row(n.id(), n.host() + ":" + n.port(), n.hasRack() ? n.rack() : "",
                    controller != null && controller.id() == n.id() ? "controller" : "");
        }
        page.raw("</tbody></table>");

        Set<String> names = await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names());
        Collection<TopicDescription> described = names.isEmpty() ? List.of() : await(admin.describeTopics(names).allTopicNames()).values();
        Health health = Health.of(described, minIsr(admin, Health.underReplicatedTopics(described)));
        page.raw("<h3>Partitions</h3><table class=\"nicetable\" id=\"health\">")
                .headerRow("Topics", "Partitions", "Under-replicated", "Under min ISR", "Offline (no leader)").raw("<tbody>")
                .row(health.topics(), health.partitions(), health.underReplicated(), health.underMinIsr(), health.offline())
                .raw("</tbody></table>");

        Map<Integer, Map<String, LogDirDescription>> dirs = await(
                admin.describeLogDirs(nodes.stream().map(Node::id).toList()).allDescriptions());
        page.raw("<h3>Log dirs</h3><table class=\"nicetable\" id=\"logdirs\">")
                .headerRow("Broker", "Directory", "Replicas", "Size of replicas", "Total space", "Usable space", "Error").raw("<tbody>");
        for (Map.Entry<Integer, Map<String, LogDirDescription>> broker : dirs.entrySet()) {
            for (Map.Entry<String, LogDirDescription> dir : broker.getValue().entrySet()) {
                LogDirDescription d = dir.getValue();
                long size = d.replicaInfos().values().stream().mapToLong(ReplicaInfo::size).sum();
                page.row(broker.getKey(), dir.getKey(), d.replicaInfos().size(), bytes(size),
                        d.totalBytes().isPresent() ? bytes(d.totalBytes().getAsLong()) : "?",
                        d.usableBytes().isPresent() ? bytes(d.usableBytes().getAsLong()) : "?",
                        d.error() == null ? "" : KafkaCallException.describe(d.error()));
            }
        }
        page.raw("</tbody></table>");
    }

    @Override
    Outcome change(String action, HttpServletRequest request) {
        return Outcome.error("the Cluster page changes nothing", Map.of());
    }
}
