package io.samsa.storage.filechannel;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.FileAccess;
import io.samsa.storage.format.SegmentedStorageEngine;
import io.samsa.storage.format.Unmapper;

/**
 * The storage engine that writes Kafka's segment files with positional {@code FileChannel}
 * writes and serves reads as {@code transferTo} slices. Index files are memory-mapped, as in
 * Kafka, and left to the garbage collector to unmap, so the bundle needs no JDK-internal API.
 */
@Component(service = StorageEngine.class, configurationPid = FileChannelStorageEngine.PID,
        property = StorageEngine.ENGINE_PROPERTY + "=" + FileChannelStorageEngine.NAME)
@Designate(ocd = FileChannelStorageEngine.Config.class)
public final class FileChannelStorageEngine extends SegmentedStorageEngine {

    static final String PID = "io.samsa.storage.filechannel";
    static final String NAME = "filechannel";

    @ObjectClassDefinition(name = "Samsa FileChannel storage engine",
            description = "Kafka's on-disk log format through FileChannel writes and zero-copy transferTo reads")
    public @interface Config {
        @AttributeDefinition(name = "Service ranking",
                description = "The broker binds the highest-ranked storage engine unless storage.target names one")
        int service_ranking() default 0;
    }

    public FileChannelStorageEngine() {
        super(NAME, new FileAccess((file, segmentBytes) -> FileChannelRecordFile.open(file), Unmapper.GARBAGE_COLLECTOR));
    }
}
