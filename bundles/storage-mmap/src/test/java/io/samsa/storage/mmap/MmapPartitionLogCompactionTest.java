package io.samsa.storage.mmap;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogCompactionContractTest;

public class MmapPartitionLogCompactionTest extends PartitionLogCompactionContractTest {

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }
}
