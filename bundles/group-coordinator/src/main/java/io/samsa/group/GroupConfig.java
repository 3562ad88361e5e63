package io.samsa.group;

/**
 * The coordinator's settings (Kafka's broker config names in {@link GroupCoordinatorService.Config}).
 *
 * @param offsetsRetentionMs how long offsets of an empty group are kept
 */
record GroupConfig(int offsetsTopicNumPartitions, short offsetsTopicReplicationFactor, int offsetsTopicSegmentBytes,
        int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize,
        long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs, int offsetMetadataMaxBytes,
        int offsetCommitTimeoutMs) {

    static GroupConfig from(GroupCoordinatorService.Config c) {
        return new GroupConfig(c.offsets_topic_num_partitions(), c.offsets_topic_replication_factor(),
                c.offsets_topic_segment_bytes(), c.group_initial_rebalance_delay_ms(),
                c.group_min_session_timeout_ms(), c.group_max_session_timeout_ms(), c.group_max_size(),
                c.offsets_retention_minutes() * 60_000L, c.offsets_retention_check_interval_ms(),
                c.offset_metadata_max_bytes(), c.offsets_commit_timeout_ms());
    }
}
