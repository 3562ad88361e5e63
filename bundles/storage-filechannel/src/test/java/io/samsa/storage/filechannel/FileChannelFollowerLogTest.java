package io.samsa.storage.filechannel;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.FollowerLogContractTest;

public class FileChannelFollowerLogTest extends FollowerLogContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }
}
