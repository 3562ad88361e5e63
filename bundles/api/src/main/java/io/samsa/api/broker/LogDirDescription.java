package io.samsa.api.broker;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * One directory of the broker's {@code log.dirs}, as DescribeLogDirs reports it.
 *
 * @param path           the directory, absolute
 * @param error          {@link Errors#NONE}, or {@link Errors#KAFKA_STORAGE_ERROR} when it is offline
 * @param totalBytes     the size of its file system, -1 when unknown (offline)
 * @param usableBytes    the bytes still free there for this broker, -1 when unknown
 * @param partitionSizes the size on disk of each partition log it holds; empty when offline
 */
public record LogDirDescription(String path, Errors error, long totalBytes, long usableBytes,
        Map<TopicPartition, Long> partitionSizes) {
}
