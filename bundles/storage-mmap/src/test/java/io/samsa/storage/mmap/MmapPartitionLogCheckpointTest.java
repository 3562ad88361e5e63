package io.samsa.storage.mmap;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogCheckpointContractTest;

public class MmapPartitionLogCheckpointTest extends PartitionLogCheckpointContractTest {

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }
}
