package io.samsa.cluster.metadata;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.replication.MetadataListener;

/**
 * The paths of Kafka's ZooKeeper layout the cluster metadata uses, and the way back from a
 * changed path to what it means to a {@link MetadataListener}.
 */
final class ZkLayout {
    static final String TOPICS = "/brokers/topics";
    static final String CONFIG = "/config";
    static final String BROKER_IDS = "/brokers/ids";
    static final String CONTROLLER = "/controller";
    static final String PRODUCER_ID_BLOCK = "/latest_producer_id_block";
    /** Kafka's change-notification sequence nodes; not an entity type. */
    private static final String CONFIG_CHANGES = "changes";

    private ZkLayout() {
    }

    static String topic(String topic) {
        return TOPICS + "/" + topic;
    }

    static String partitions(String topic) {
        return topic(topic) + "/partitions";
    }

    static String state(TopicPartition tp) {
        return partitions(tp.topic()) + "/" + tp.partition() + "/state";
    }

    static String config(String entityType, String entityName) {
        return CONFIG + "/" + entityType + "/" + entityName;
    }

    /**
     * Tells {@code listener} what the change of {@code path} means; paths that mean nothing to it
     * (the intermediate {@code partitions} nodes, the roots themselves) are ignored.
     */
    static void dispatch(String path, MetadataListener listener) {
        if (path.equals(CONTROLLER)) {
            listener.controllerChanged();
        } else if (path.equals(BROKER_IDS) || path.startsWith(BROKER_IDS + "/")) {
            listener.brokersChanged();
        } else if (path.startsWith(TOPICS + "/")) {
            // <t> | <t>/partitions | <t>/partitions/<p> | <t>/partitions/<p>/state
            String[] parts = path.substring(TOPICS.length() + 1).split("/", -1);
            if (parts.length == 1) {
                listener.topicChanged(parts[0]);
            } else if (parts.length == 4 && parts[1].equals("partitions") && parts[3].equals("state")) {
                int partition = partitionNumber(parts[2]);
                if (partition >= 0) {
                    listener.partitionStateChanged(new TopicPartition(parts[0], partition));
                }
            }
        } else if (path.startsWith(CONFIG + "/")) {
            String[] parts = path.substring(CONFIG.length() + 1).split("/", -1);
            if (parts.length == 2 && !parts[0].equals(CONFIG_CHANGES)) {
                listener.configChanged(parts[0], parts[1]);
            }
        }
    }

    /** The partition number of a path segment, -1 for a node that is not one (written by hand). */
    private static int partitionNumber(String segment) {
        try {
            return Integer.parseInt(segment);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
