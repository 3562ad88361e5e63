package io.samsa.cluster.metadata;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.Uuid;
import org.junit.Test;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.MetadataListener;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.testsupport.InMemoryCoordinator;
import io.samsa.testsupport.Poll;

/** The store's contract on the in-memory coordinator the other bundles' tests use. */
public class InMemoryMetadataStoreTest extends ClusterMetadataStoreContractTest {

    private InMemoryCoordinator cluster;

    @Override
    protected Coordinator openSession() {
        if (cluster == null) {
            cluster = new InMemoryCoordinator();
            return cluster;
        }
        return cluster.connectAnother();
    }

    @Override
    protected void closeSession(Coordinator session) {
        ((InMemoryCoordinator) session).close();
    }

    @Test
    public void eventsMissedWhileDisconnectedBecomeAResync() throws Exception {
        InMemoryCoordinator mine = (InMemoryCoordinator) session();
        CoordinatorMetadataStore writer = new CoordinatorMetadataStore(session());
        List<String> events = new CopyOnWriteArrayList<>();
        try (Watch watch = new CoordinatorMetadataStore(mine).watch(new MetadataListener() {
            @Override
            public void resync() {
                events.add("resync");
            }

            @Override
            public void topicChanged(String topic) {
                events.add("topic " + topic);
            }
        })) {
            Poll.until("the first resync", () -> events.equals(List.of("resync")));
            mine.dropConnection();
            writer.createTopic("missed", Uuid.randomUuid(), new java.util.TreeMap<>(
                    Map.of(0, PartitionAssignment.of(List.of(1)))), Map.of());
            Poll.until("a resync after reconnecting", () -> events.stream().filter("resync"::equals).count() >= 2);
            assertEquals("the change made while disconnected comes as the resync: " + events, "resync",
                    events.get(1));
        }
    }
}
