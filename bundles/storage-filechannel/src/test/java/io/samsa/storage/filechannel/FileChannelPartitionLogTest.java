package io.samsa.storage.filechannel;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogContractTest;

public class FileChannelPartitionLogTest extends PartitionLogContractTest {

    @Override
    protected StorageEngine engine() {
        return new FileChannelStorageEngine();
    }

    @Test
    public void theEngineIsNamedFilechannel() {
        assertEquals("filechannel", engine().name());
    }
}
