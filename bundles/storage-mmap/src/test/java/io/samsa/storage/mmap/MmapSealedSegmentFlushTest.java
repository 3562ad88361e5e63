package io.samsa.storage.mmap;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.SealedSegmentFlushContractTest;

public class MmapSealedSegmentFlushTest extends SealedSegmentFlushContractTest {

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }
}
