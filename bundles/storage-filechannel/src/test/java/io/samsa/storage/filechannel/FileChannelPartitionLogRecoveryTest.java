package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogRecoveryContractTest;

public class FileChannelPartitionLogRecoveryTest extends PartitionLogRecoveryContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
