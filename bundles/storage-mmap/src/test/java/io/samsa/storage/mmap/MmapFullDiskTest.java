package io.samsa.storage.mmap;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.FullDiskContractTest;

public class MmapFullDiskTest extends FullDiskContractTest {
    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }
}
