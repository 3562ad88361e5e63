package io.samsa.cluster.metadata;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.ClusterMetadataStore.FencedException;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.MetadataListener;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ProducerIdBlock;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.replication.TopicRecord;
import io.samsa.testsupport.Poll;

/**
 * What {@link CoordinatorMetadataStore} promises, on each coordinator: a subclass opens sessions
 * (each standing for one broker process) of a fresh, empty cluster per test.
 */
public abstract class ClusterMetadataStoreContractTest {

    private final List<Coordinator> sessions = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** A new session of this test's cluster. */
    protected abstract Coordinator openSession();

    protected abstract void closeSession(Coordinator session);

    /** A session, closed after the test. */
    protected final Coordinator session() {
        Coordinator c = openSession();
        sessions.add(c);
        return c;
    }

    @After
    public final void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        sessions.forEach(this::closeSession);
    }

    private <T extends AutoCloseable> T closedAfter(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private static SortedMap<Integer, PartitionAssignment> assignment(List<Integer>... replicas) {
        SortedMap<Integer, PartitionAssignment> partitions = new TreeMap<>();
        for (int p = 0; p < replicas.length; p++) {
            partitions.put(p, PartitionAssignment.of(replicas[p]));
        }
        return partitions;
    }

    private static PartitionState leader(int leader, int epoch, List<Integer> isr) {
        return new PartitionState(leader, epoch, isr, -1, 0, LeaderRecoveryState.RECOVERED);
    }

    private static String text(Coordinator c, String path) {
        return c.read(path).map(v -> new String(v.value(), UTF_8)).orElse("<absent>");
    }

    // --- producer id blocks ---

    @Test
    public void producerIdBlocksFollowEachOtherAcrossSessionsInKafkasJson() {
        ClusterMetadataStore a = new CoordinatorMetadataStore(session());
        Coordinator other = session();
        ClusterMetadataStore b = new CoordinatorMetadataStore(other);
        assertEquals(new ProducerIdBlock(1, 0, 999), a.claimProducerIdBlock(1, 1000));
        assertEquals(new ProducerIdBlock(2, 1000, 1009), b.claimProducerIdBlock(2, 10));
        assertEquals(new ProducerIdBlock(1, 1010, 2009), a.claimProducerIdBlock(1, 1000));
        assertEquals("{\"version\":1,\"broker\":1,\"block_start\":\"1010\",\"block_end\":\"2009\"}",
                text(other, "/latest_producer_id_block"));
        assertThrows(IllegalArgumentException.class, () -> a.claimProducerIdBlock(1, 0));
    }

    @Test
    public void anUnreadableProducerIdBlockIsNamedAndNotOverwritten() {
        Coordinator c = session();
        c.compareAndSet("/latest_producer_id_block", "{\"version\":1}".getBytes(UTF_8), Coordinator.ABSENT);
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.claimProducerIdBlock(1, 10));
        assertTrue(e.getMessage(), e.getMessage().contains("/latest_producer_id_block"));
        assertEquals("ids are never handed out from a block whose end is unknown", "{\"version\":1}",
                text(c, "/latest_producer_id_block"));
    }

    // --- topics ---

    @Test
    public void aCreatedTopicReadsBackWithItsConfigsAndNoStates() {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        Uuid id = new Uuid(11L, 12L);
        assertTrue(store.createTopic("orders", id, assignment(List.of(1, 2), List.of(2, 1)),
                Map.of("retention.ms", "1000")));

        TopicRecord topic = store.topic("orders").orElseThrow();
        assertEquals(id, topic.topicId());
        assertEquals(0, topic.version());
        assertEquals(assignment(List.of(1, 2), List.of(2, 1)), topic.partitions());
        assertEquals("the controller writes the first states", Map.of(), topic.states());
        assertEquals(PartitionState.NONE, topic.state(0));
        assertEquals(Map.of("retention.ms", "1000"), topic.configs());
        assertEquals(List.of("orders"), store.topicNames());
        assertEquals(Optional.empty(), store.topic("absent"));
    }

    @Test
    public void theNodesAreKafkasBytes() {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        Uuid id = new Uuid(1L, 2L);
        store.createTopic("t", id, assignment(List.of(1, 2), List.of(2, 1)), Map.of("cleanup.policy", "compact"));
        assertEquals("{\"version\":3,\"topic_id\":\"" + id + "\",\"partitions\":{\"0\":[1,2],\"1\":[2,1]},"
                + "\"adding_replicas\":{},\"removing_replicas\":{}}", text(c, "/brokers/topics/t"));
        assertEquals("{\"version\":1,\"config\":{\"cleanup.policy\":\"compact\"}}", text(c, "/config/topics/t"));

        store.updatePartitionState(new TopicPartition("t", 1), Coordinator.ABSENT,
                new PartitionState(2, 0, List.of(2, 1), -1, 5, LeaderRecoveryState.RECOVERED), Optional.empty());
        assertEquals("{\"controller_epoch\":5,\"leader\":2,\"version\":1,\"leader_epoch\":0,\"isr\":[2,1]}",
                text(c, "/brokers/topics/t/partitions/1/state"));

        store.writeConfigs("brokers", "<default>", Map.of("log.retention.ms", "5"));
        assertEquals("{\"version\":1,\"config\":{\"log.retention.ms\":\"5\"}}", text(c, "/config/brokers/<default>"));
        assertEquals(Map.of("log.retention.ms", "5"), store.configs("brokers", "<default>"));
        assertEquals(Map.of(), store.configs("brokers", "3"));
    }

    @Test
    public void ofTwoCreatorsOfOneNameOneWins() throws Exception {
        ClusterMetadataStore a = new CoordinatorMetadataStore(session());
        ClusterMetadataStore b = new CoordinatorMetadataStore(session());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String name = "race" + round;
                CountDownLatch start = new CountDownLatch(1);
                Future<Boolean> first = pool.submit(() -> {
                    start.await();
                    return a.createTopic(name, new Uuid(1, 1), assignment(List.of(1)), Map.of("x", "a"));
                });
                Future<Boolean> second = pool.submit(() -> {
                    start.await();
                    return b.createTopic(name, new Uuid(2, 2), assignment(List.of(2)), Map.of("x", "b"));
                });
                start.countDown();
                boolean aWon = first.get(20, TimeUnit.SECONDS);
                boolean bWon = second.get(20, TimeUnit.SECONDS);
                assertTrue("round " + round + ": exactly one creator wins", aWon ^ bWon);
                TopicRecord topic = a.topic(name).orElseThrow();
                assertEquals("the winner's topic, whole", aWon ? new Uuid(1, 1) : new Uuid(2, 2), topic.topicId());
                assertEquals("and its configs", Map.of("x", aWon ? "a" : "b"), topic.configs());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void aLeftoverConfigNodeIsReplacedByTheNewTopics() {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        store.writeConfigs("topics", "t", Map.of("stale", "1"));
        assertTrue(store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1)), Map.of("fresh", "2")));
        assertEquals(Map.of("fresh", "2"), store.topic("t").orElseThrow().configs());
        assertFalse("a second create of the name fails",
                store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1)), Map.of()));
    }

    @Test
    public void deletingATopicTakesItsStatesAndConfigs() {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1)), Map.of("a", "b"));
        TopicPartition tp = new TopicPartition("t", 0);
        store.updatePartitionState(tp, Coordinator.ABSENT, leader(1, 0, List.of(1)), Optional.empty());
        assertTrue(store.deleteTopic("t"));
        assertEquals(Optional.empty(), store.topic("t"));
        assertEquals(Optional.empty(), store.partitionState(tp));
        assertEquals(Map.of(), store.configs("topics", "t"));
        assertFalse(store.deleteTopic("t"));
    }

    @Test
    public void anAssignmentChangesOnlyAtTheVersionItWasReadAt() {
        ClusterMetadataStore store = new CoordinatorMetadataStore(session());
        Uuid id = Uuid.randomUuid();
        store.createTopic("t", id, assignment(List.of(1)), Map.of());
        SortedMap<Integer, PartitionAssignment> grown = assignment(List.of(1), List.of(2));
        grown.put(0, new PartitionAssignment(List.of(3, 1), List.of(3), List.of(1)));
        int version = store.updateAssignment("t", 0, grown, Optional.empty());
        assertEquals(1, version);
        TopicRecord topic = store.topic("t").orElseThrow();
        assertEquals(grown, topic.partitions());
        assertEquals("the topic id is kept", id, topic.topicId());
        assertEquals(1, topic.version());
        assertEquals("a stale version writes nothing", -1,
                store.updateAssignment("t", 0, assignment(List.of(9)), Optional.empty()));
        assertEquals(-1, store.updateAssignment("absent", 0, assignment(List.of(9)), Optional.empty()));
        assertEquals(grown, store.topic("t").orElseThrow().partitions());
    }

    // --- partition states ---

    @Test
    public void aStateChangesOnlyAtItsPartitionEpoch() {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1, 2)), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);

        StateUpdate first = store.updatePartitionState(tp, Coordinator.ABSENT, leader(1, 0, List.of(1, 2)),
                Optional.empty());
        assertEquals(StateUpdate.Outcome.APPLIED, first.outcome());
        assertEquals(0, first.state().orElseThrow().partitionEpoch());
        assertEquals(first.state(), store.partitionState(tp));

        PartitionState shrunk = first.state().orElseThrow().withIsr(List.of(1));
        StateUpdate second = store.updatePartitionState(tp, 0, shrunk, Optional.empty());
        assertTrue(second.applied());
        assertEquals(1, second.state().orElseThrow().partitionEpoch());
        assertEquals(List.of(1), store.topic("t").orElseThrow().state(0).isr());

        StateUpdate stale = store.updatePartitionState(tp, 0, leader(2, 1, List.of(2)), Optional.empty());
        assertEquals(StateUpdate.Outcome.CONFLICT, stale.outcome());
        assertEquals("the conflict carries what is there", second.state(), stale.state());

        StateUpdate again = store.updatePartitionState(tp, Coordinator.ABSENT, leader(2, 1, List.of(2)),
                Optional.empty());
        assertEquals("a first state when there is one conflicts", StateUpdate.Outcome.CONFLICT, again.outcome());
        assertEquals(second.state(), again.state());
        assertEquals(List.of(1), store.partitionState(tp).orElseThrow().isr());
    }

    @Test
    public void aStateOfAMissingTopicOrPartitionConflictsAndCreatesNothing() {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        TopicPartition tp = new TopicPartition("gone", 0);
        StateUpdate none = store.updatePartitionState(tp, Coordinator.ABSENT, leader(1, 0, List.of(1)),
                Optional.empty());
        assertEquals(StateUpdate.Outcome.CONFLICT, none.outcome());
        assertEquals(Optional.empty(), none.state());
        assertEquals("no empty topic node is left to block a later create", Optional.empty(),
                c.read("/brokers/topics/gone"));

        store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1)), Map.of());
        StateUpdate unwritten = store.updatePartitionState(new TopicPartition("t", 0), 0, leader(1, 0, List.of(1)),
                Optional.empty());
        assertEquals("an update of a state never written conflicts", StateUpdate.Outcome.CONFLICT,
                unwritten.outcome());
        assertEquals(Optional.empty(), unwritten.state());
    }

    @Test
    public void aDeposedControllersWritesAreFenced() throws Exception {
        Coordinator first = session();
        Coordinator second = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(first);
        store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1, 2)), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);

        Elected one = new Elected();
        Election election1 = first.electController(1, one);
        Poll.until("broker 1 is elected", () -> one.epoch.get() > 0);
        Op fence1 = election1.fence();
        StateUpdate byOne = store.updatePartitionState(tp, Coordinator.ABSENT, leader(1, 0, List.of(1, 2)),
                Optional.of(fence1));
        assertTrue(byOne.applied());
        Poll.until("the store sees broker 1 as controller", () -> store.controllerId().equals(OptionalInt.of(1)));

        Elected two = new Elected();
        Election election2 = closedAfter(second.electController(2, two));
        election1.close();
        Poll.until("broker 2 is elected", () -> two.epoch.get() > 0);

        int epoch = byOne.state().orElseThrow().partitionEpoch();
        StateUpdate stale = store.updatePartitionState(tp, epoch, leader(1, 1, List.of(1)), Optional.of(fence1));
        assertEquals(StateUpdate.Outcome.FENCED, stale.outcome());
        assertEquals(Optional.empty(), stale.state());
        assertEquals("nothing was written", byOne.state(), store.partitionState(tp));
        assertEquals("a fenced first state too", StateUpdate.Outcome.FENCED, store.updatePartitionState(
                new TopicPartition("t", 1), Coordinator.ABSENT, leader(1, 0, List.of(1)), Optional.of(fence1))
                .outcome());
        assertEquals(StateUpdate.Outcome.FENCED, store.updatePartitionState(new TopicPartition("gone", 0),
                Coordinator.ABSENT, leader(1, 0, List.of(1)), Optional.of(fence1)).outcome());
        assertThrows(FencedException.class,
                () -> store.updateAssignment("t", 0, assignment(List.of(2, 1)), Optional.of(fence1)));
        assertEquals(assignment(List.of(1, 2)), store.topic("t").orElseThrow().partitions());

        StateUpdate byTwo = store.updatePartitionState(tp, epoch, leader(2, 1, List.of(2)),
                Optional.of(election2.fence()));
        assertTrue(byTwo.applied());
        assertEquals(1, store.updateAssignment("t", 0, assignment(List.of(2, 1)), Optional.of(election2.fence())));
        Poll.until("the store sees broker 2 as controller", () -> store.controllerId().equals(OptionalInt.of(2)));
    }

    @Test
    public void noControllerReadsEmpty() {
        assertEquals(OptionalInt.empty(), new CoordinatorMetadataStore(session()).controllerId());
    }

    @Test
    public void anUnreadableNodeIsAnErrorNamingIt() {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1)), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);
        store.updatePartitionState(tp, Coordinator.ABSENT, leader(1, 0, List.of(1)), Optional.empty());
        c.compareAndSet("/brokers/topics/t/partitions/0/state", "{\"leader\":".getBytes(UTF_8), 0);
        IllegalStateException state = assertThrows(IllegalStateException.class, () -> store.partitionState(tp));
        assertTrue(state.getMessage(), state.getMessage().contains("/brokers/topics/t/partitions/0/state"));
        assertThrows(IllegalStateException.class, () -> store.topic("t"));

        c.compareAndSet("/brokers/topics/u", "{\"version\":3,\"partitions\":[1]}".getBytes(UTF_8), Coordinator.ABSENT);
        IllegalStateException topic = assertThrows(IllegalStateException.class, () -> store.topic("u"));
        assertTrue(topic.getMessage(), topic.getMessage().contains("/brokers/topics/u"));
        assertTrue(topic.getMessage(), topic.getMessage().contains("partitions"));

        c.compareAndSet("/config/topics/v", "not json".getBytes(UTF_8), Coordinator.ABSENT);
        IllegalStateException config = assertThrows(IllegalStateException.class, () -> store.configs("topics", "v"));
        assertTrue(config.getMessage(), config.getMessage().contains("/config/topics/v"));
    }

    // --- watch ---

    @Test
    public void aWatchStartsWithAResyncThenTellsEachChange() throws Exception {
        Coordinator mine = session();
        Coordinator other = session();
        ClusterMetadataStore watched = new CoordinatorMetadataStore(mine);
        ClusterMetadataStore writer = new CoordinatorMetadataStore(other);
        Recorder events = new Recorder();
        closedAfter(watched.watch(events));
        Poll.until("the first resync", () -> !events.all.isEmpty());
        assertEquals("resync", events.all.get(0));

        writer.createTopic("t", Uuid.randomUuid(), assignment(List.of(1, 2)), Map.of());
        events.await("topic t");
        assertEquals("one resync stands for the registration of every subtree: " + events.all, 1,
                events.count("resync"));
        TopicPartition tp = new TopicPartition("t", 0);
        StateUpdate first = writer.updatePartitionState(tp, Coordinator.ABSENT, leader(1, 0, List.of(1, 2)),
                Optional.empty());
        events.await("state t-0");
        int before = events.count("state t-0");
        writer.updatePartitionState(tp, first.state().orElseThrow().partitionEpoch(), leader(1, 0, List.of(1)),
                Optional.empty());
        Poll.until("an ISR change written by another writer is told", () -> events.count("state t-0") > before);
        assertEquals("and reads back through the watching store", List.of(1),
                watched.partitionState(tp).orElseThrow().isr());

        writer.writeConfigs("topics", "t", Map.of("retention.ms", "1"));
        events.await("config topics/t");
        writer.writeConfigs("brokers", "<default>", Map.of("log.retention.ms", "1"));
        events.await("config brokers/<default>");
        BrokerSession broker = closedAfter(other.registerBroker(new BrokerRegistration(7, "localhost", 9092,
                Optional.empty(), 0)));
        events.await("brokers");
        closedAfter(other.electController(7, new Elected()));
        events.await("controller");
        Poll.until("the controller reads back", () -> watched.controllerId().equals(OptionalInt.of(7)));
        assertTrue(broker.epoch() >= 0);

        writer.deleteTopic("t");
        Poll.until("the deletion is told", () -> events.count("topic t") >= 2);
        assertFalse("the intermediate partitions nodes are not told",
                events.all.stream().anyMatch(e -> e.contains("partitions")));
    }

    @Test
    public void eventsArriveInOrderOnOneThread() throws Exception {
        Coordinator c = session();
        ClusterMetadataStore store = new CoordinatorMetadataStore(c);
        store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1)), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);
        StateUpdate s = store.updatePartitionState(tp, Coordinator.ABSENT, leader(1, 0, List.of(1)), Optional.empty());
        Recorder events = new Recorder();
        closedAfter(store.watch(events));
        Poll.until("the first resync", () -> !events.all.isEmpty());
        int epoch = s.state().orElseThrow().partitionEpoch();
        for (int i = 1; i <= 5; i++) {
            StateUpdate next = store.updatePartitionState(tp, epoch, leader(1, i, List.of(1)), Optional.empty());
            epoch = next.state().orElseThrow().partitionEpoch();
        }
        store.writeConfigs("topics", "t", Map.of("a", "b"));
        events.await("config topics/t");
        int lastState = events.all.lastIndexOf("state t-0");
        assertTrue("the state changes come before the later config change: " + events.all,
                lastState >= 0 && lastState < events.all.lastIndexOf("config topics/t"));
        assertEquals("one delivery thread", 1, events.threads.size());
    }

    @Test
    public void aClosedWatchTellsNothingMore() throws Exception {
        ClusterMetadataStore store = new CoordinatorMetadataStore(session());
        Recorder events = new Recorder();
        Watch watch = store.watch(events);
        Poll.until("the first resync", () -> !events.all.isEmpty());
        watch.close();
        store.createTopic("t", Uuid.randomUuid(), assignment(List.of(1)), Map.of());
        // a second watch that sees the create shows the event has been delivered, had the first still listened
        Recorder witness = new Recorder();
        closedAfter(store.watch(witness));
        store.writeConfigs("topics", "t", Map.of("a", "b"));
        witness.await("config topics/t");
        assertFalse(events.all.contains("topic t"));
    }

    /** Records events as short strings, and the threads they came on. */
    private static final class Recorder implements MetadataListener {
        final List<String> all = new CopyOnWriteArrayList<>();
        final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        private void add(String event) {
            threads.add(Thread.currentThread());
            all.add(event);
        }

        void await(String event) {
            Poll.until("the watch tells " + event + " (so far " + all + ")", () -> all.contains(event));
        }

        int count(String event) {
            return (int) all.stream().filter(event::equals).count();
        }

        @Override
        public void resync() {
            add("resync");
        }

        @Override
        public void topicChanged(String topic) {
            add("topic " + topic);
        }

        @Override
        public void configChanged(String entityType, String entityName) {
            add("config " + entityType + "/" + entityName);
        }

        @Override
        public void partitionStateChanged(TopicPartition partition) {
            add("state " + partition);
        }

        @Override
        public void brokersChanged() {
            add("brokers");
        }

        @Override
        public void controllerChanged() {
            add("controller");
        }
    }

    private static final class Elected implements ElectionListener {
        final AtomicInteger epoch = new AtomicInteger();

        @Override
        public void elected(int e) {
            epoch.set(e);
        }

        @Override
        public void resigned() {
            epoch.set(0);
        }
    }
}
