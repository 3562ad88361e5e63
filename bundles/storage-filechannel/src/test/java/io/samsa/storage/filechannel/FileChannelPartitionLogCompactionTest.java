package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogCompactionContractTest;

public class FileChannelPartitionLogCompactionTest extends PartitionLogCompactionContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
