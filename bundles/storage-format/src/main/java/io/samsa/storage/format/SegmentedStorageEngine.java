package io.samsa.storage.format;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * A storage engine keeping Kafka's segment files through its own {@link FileAccess}: the engine
 * bundles' DS components extend it and add only their name, file access and configuration.
 */
public abstract class SegmentedStorageEngine implements StorageEngine {

    private final String name;
    private final FileAccess files;

    protected SegmentedStorageEngine(String name, FileAccess files) {
        this.name = name;
        this.files = files;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final PartitionLog open(TopicPartition partition, Path dir, LogConfig config) throws IOException {
        return SegmentedPartitionLog.open(partition, dir, config, System::currentTimeMillis, files);
    }
}
