package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogCheckpointContractTest;

public class FileChannelPartitionLogCheckpointTest extends PartitionLogCheckpointContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
