package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;

public class FileChannelPartitionLogRecoveryTest extends PartitionLogRecoveryContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
