package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.CompactionRecoveryContractTest;

public class FileChannelCompactionRecoveryTest extends CompactionRecoveryContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
