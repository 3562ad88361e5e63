package io.samsa.storage.mmap;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

import io.samsa.api.storage.StorageEngine;
import io.samsa.storage.format.PartitionLogContractTest;

public class MmapPartitionLogTest extends PartitionLogContractTest {

    @Override
    protected StorageEngine engine() {
        return new MmapStorageEngine();
    }

    @Test
    public void theEngineIsNamedMmap() {
        assertEquals("mmap", engine().name());
    }
}
