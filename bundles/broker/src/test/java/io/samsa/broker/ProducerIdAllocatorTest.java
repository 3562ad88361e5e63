package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.protocol.Errors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.ProducerIdService;
import io.samsa.api.broker.ProducerIdService.ProducerIdAndEpoch;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;

public class ProducerIdAllocatorTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void idsAreUniqueAcrossBrokersSharingTheCoordinator() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(tmp.getRoot().toPath())) {
            ProducerIdService a = fixture.start(0, Map.of()).producerIds();
            ProducerIdService b = fixture.start(1, Map.of()).producerIds();
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 1500; i++) {
                for (ProducerIdService s : new ProducerIdService[] {a, b}) {
                    ProducerIdAndEpoch id = s.initProducerId(null, 60_000, -1, (short) -1);
                    assertEquals(Errors.NONE, id.error());
                    assertEquals(0, id.producerEpoch());
                    assertTrue("duplicate id " + id.producerId(), seen.add(id.producerId()));
                }
            }
            assertEquals(3000, seen.size());
            String block = new String(fixture.coordinator.read("/latest_producer_id_block").orElseThrow().value(),
                    StandardCharsets.UTF_8);
            assertTrue(block, block.matches("\\{\"version\":1,\"broker\":[01],\"block_start\":\"3000\","
                    + "\"block_end\":\"3999\"\\}"));
        }
    }

    @Test
    public void transactionalIdGetsAFreshIdAndUnreachableCoordinatorIsRetriable() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(tmp.getRoot().toPath())) {
            ProducerIdService s = fixture.start(0, Map.of()).producerIds();
            ProducerIdAndEpoch first = s.initProducerId("tx", 60_000, -1, (short) -1);
            ProducerIdAndEpoch again = s.initProducerId("tx", 60_000, first.producerId(), (short) 0);
            assertEquals(Errors.NONE, again.error());
            assertTrue(again.producerId() != first.producerId());
            ProducerIdAllocator fresh = new ProducerIdAllocator(new CoordinatorMetadataStore(fixture.coordinator), 5);
            fixture.coordinator.setReachable(false);
            assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, fresh.initProducerId(null, 0, -1, (short) -1).error());
            fixture.coordinator.setReachable(true);
        }
    }
}
