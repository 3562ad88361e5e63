package io.samsa.api.replication;

import org.apache.kafka.common.TopicPartition;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told what changed in the cluster metadata, on one thread of the store, in order. It is told
 * names, not contents: it reads what it needs. A listener that only cares about some changes
 * overrides only those.
 */
@ConsumerType
public interface MetadataListener {

    /** Everything may have changed (first call after registration, or events were lost): re-read all. */
    default void resync() {
    }

    /** The topic was created, deleted, or its assignment changed. */
    default void topicChanged(String topic) {
    }

    /** The config overrides of an entity changed ({@code topics}/name, {@code brokers}/id or {@code <default>}). */
    default void configChanged(String entityType, String entityName) {
    }

    /** The partition's state was written (leader elected, ISR changed) or deleted. */
    default void partitionStateChanged(TopicPartition partition) {
    }

    /** A broker registered or went away. */
    default void brokersChanged() {
    }

    /** The controller changed. */
    default void controllerChanged() {
    }
}
