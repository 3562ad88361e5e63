package io.samsa.storage.mmap;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.CompactionRecoveryContractTest;

public class MmapCompactionRecoveryTest extends CompactionRecoveryContractTest {

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }
}
