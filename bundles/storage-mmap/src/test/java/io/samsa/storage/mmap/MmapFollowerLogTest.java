package io.samsa.storage.mmap;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.FollowerLogContractTest;

public class MmapFollowerLogTest extends FollowerLogContractTest {

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }
}
