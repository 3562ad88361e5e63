package io.samsa.webconsole.kafka;

import static io.samsa.webconsole.kafka.KafkaConnection.await;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The Cluster page: brokers with host, port and rack, the controller, each broker's log dirs
 * with their usage, and partition health counted from the metadata (under-replicated: fewer
 * in-sync replicas than replicas; offline: no leader).
 */
@Component(service = Servlet.class, property = {"felix.webconsole.label=" + ClusterPlugin.LABEL,
        "felix.webconsole.title=Cluster", "felix.webconsole.category=" + ConsolePlugin.CATEGORY})
public final class ClusterPlugin extends ConsolePlugin {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "samsa-cluster";

    private final transient KafkaConnection kafka;

    @Activate
    public ClusterPlugin(@Reference KafkaConnection kafka) {
        super(LABEL);
        this.kafka = kafka;
    }

    /** Partition counts by health. */
    record Health(int topics, int partitions, int underReplicated, int offline) {
        static Health of(Collection<TopicDescription> topics) {
            int partitions = 0;
            int under = 0;
            int offline = 0;
            for (TopicDescription topic : topics) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    partitions++;
                    if (p.leader() == null || p.leader().id() < 0) {
                        offline++;
                    }
                    if (p.isr().size() < p.replicas().size()) {
                        under++;
                    }
                }
            }
            return new Health(topics.size(), partitions, under, offline);
        }
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
        Health health = Health.of(names.isEmpty() ? List.of() : await(admin.describeTopics(names).allTopicNames()).values());
        page.raw("<h3>Partitions</h3><table class=\"nicetable\" id=\"health\">")
                .headerRow("Topics", "Partitions", "Under-replicated", "Offline (no leader)").raw("<tbody>")
                .row(health.topics(), health.partitions(), health.underReplicated(), health.offline()).raw("</tbody></table>");

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
