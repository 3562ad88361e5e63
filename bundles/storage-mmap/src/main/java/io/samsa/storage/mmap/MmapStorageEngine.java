package io.samsa.storage.mmap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.FileAccess;
import io.samsa.storage.format.SegmentedStorageEngine;
import io.samsa.storage.format.Unmapper;

/**
 * The storage engine that writes and reads Kafka's segment files through memory mappings
 * ({@link MappedRecordFile}, and mapped index files), unmapping each one explicitly as soon as
 * no reader uses it ({@link UnsafeUnmapper}: the framework must export {@code sun.misc}).
 */
// Ranked above the FileChannel engine (0): deploying this engine beside it, as a feature or into
// the hot-deploy folder, is how an operator moves a running broker onto it.
@Component(service = StorageEngine.class, configurationPid = MmapStorageEngine.PID,
        property = {StorageEngine.ENGINE_PROPERTY + "=" + MmapStorageEngine.NAME, "service.ranking:Integer=10"})
@Designate(ocd = MmapStorageEngine.Config.class)
public final class MmapStorageEngine extends SegmentedStorageEngine {

    static final String PID = "io.samsa.storage.mmap";
    static final String NAME = "mmap";

    @ObjectClassDefinition(name = "Samsa mmap storage engine",
            description = "Kafka's on-disk log format through memory-mapped segment and index files")
    public @interface Config {
        @AttributeDefinition(name = "Service ranking",
                description = "The broker binds the highest-ranked storage engine unless storage.target names one")
        int service_ranking() default 10;
    }

    public MmapStorageEngine() {
        this(new UnsafeUnmapper());
    }

    /** For tests that watch the unmapping. */
    MmapStorageEngine(Unmapper unmapper) {
        super(NAME, new FileAccess((file, segmentBytes) -> MappedRecordFile.open(file, segmentBytes, unmapper), unmapper));
    }
}
