package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.FullDiskContractTest;

public class FileChannelFullDiskTest extends FullDiskContractTest {
    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
