package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.SealedSegmentFlushContractTest;

public class FileChannelSealedSegmentFlushTest extends SealedSegmentFlushContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
