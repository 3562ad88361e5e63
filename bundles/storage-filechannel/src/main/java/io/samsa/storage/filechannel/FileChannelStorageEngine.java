package io.samsa.storage.filechannel;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.kafka.common.TopicPartition;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * The storage engine that writes Kafka's segment files with positional {@code FileChannel}
 * writes and serves reads as {@code transferTo} slices.
 */
@Component(service = StorageEngine.class, configurationPid = FileChannelStorageEngine.PID,
        property = StorageEngine.ENGINE_PROPERTY + "=" + FileChannelStorageEngine.NAME)
@Designate(ocd = FileChannelStorageEngine.Config.class)
public final class FileChannelStorageEngine implements StorageEngine {

    static final String PID = "io.samsa.storage.filechannel";
    static final String NAME = "filechannel";

    @ObjectClassDefinition(name = "Samsa FileChannel storage engine",
            description = "Kafka's on-disk log format through FileChannel writes and zero-copy transferTo reads")
    public @interface Config {
        @AttributeDefinition(name = "Service ranking",
                description = "The broker binds the highest-ranked storage engine unless storage.target names one")
        int service_ranking() default 0;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PartitionLog open(TopicPartition partition, Path dir, LogConfig config) throws IOException {
        return FileChannelPartitionLog.open(partition, dir, config, System::currentTimeMillis);
    }
}
