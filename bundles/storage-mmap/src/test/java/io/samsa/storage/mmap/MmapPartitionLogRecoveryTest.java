package io.samsa.storage.mmap;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogRecoveryContractTest;

public class MmapPartitionLogRecoveryTest extends PartitionLogRecoveryContractTest {

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }
}
