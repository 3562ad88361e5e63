package io.samsa.controller;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.MetadataListener;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ProducerIdBlock;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.replication.TopicRecord;

/**
 * A store that hands every call to another, letting a test act just before or after a partition
 * state write (another writer slipping in, an election lost) and see every outcome.
 */
final class InterceptingStore implements ClusterMetadataStore {

    /** One partition state write as the controller asked for it and what came of it. */
    record Write(TopicPartition partition, int expectedPartitionEpoch, PartitionState next, StateUpdate outcome) {
    }

    interface BeforeWrite {
        void before(TopicPartition partition, int expectedPartitionEpoch, PartitionState next);
    }

    interface AfterWrite {
        void after(Write write);
    }

    private final ClusterMetadataStore delegate;
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private volatile BeforeWrite before = (tp, expected, next) -> { };
    private volatile AfterWrite after = w -> { };
    private final AtomicInteger watchFailures = new AtomicInteger();

    InterceptingStore(ClusterMetadataStore delegate) {
        this.delegate = delegate;
    }

    InterceptingStore before(BeforeWrite hook) {
        this.before = hook;
        return this;
    }

    InterceptingStore after(AfterWrite hook) {
        this.after = hook;
        return this;
    }

    /** The next {@code n} calls of {@link #watch} fail as an unreachable coordinator would. */
    InterceptingStore failWatches(int n) {
        watchFailures.set(n);
        return this;
    }

    /** Every write tried so far, in order. */
    List<Write> writes() {
        return writes;
    }

    long count(StateUpdate.Outcome outcome) {
        return writes.stream().filter(w -> w.outcome().outcome() == outcome).count();
    }

    @Override
    public StateUpdate updatePartitionState(TopicPartition partition, int expectedPartitionEpoch, PartitionState next,
            Optional<Op> fence) {
        before.before(partition, expectedPartitionEpoch, next);
        StateUpdate outcome = delegate.updatePartitionState(partition, expectedPartitionEpoch, next, fence);
        Write w = new Write(partition, expectedPartitionEpoch, next, outcome);
        writes.add(w);
        after.after(w);
        return outcome;
    }

    @Override
    public List<String> topicNames() {
        return delegate.topicNames();
    }

    @Override
    public Optional<TopicRecord> topic(String name) {
        return delegate.topic(name);
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition partition) {
        return delegate.partitionState(partition);
    }

    @Override
    public boolean createTopic(String name, Uuid topicId, SortedMap<Integer, PartitionAssignment> partitions,
            Map<String, String> configs) {
        return delegate.createTopic(name, topicId, partitions, configs);
    }

    @Override
    public int updateAssignment(String topic, int expectedVersion, SortedMap<Integer, PartitionAssignment> partitions,
            Optional<Op> fence) {
        return delegate.updateAssignment(topic, expectedVersion, partitions, fence);
    }

    @Override
    public boolean deleteTopic(String topic) {
        return delegate.deleteTopic(topic);
    }

    @Override
    public Map<String, String> configs(String entityType, String entityName) {
        return delegate.configs(entityType, entityName);
    }

    @Override
    public void writeConfigs(String entityType, String entityName, Map<String, String> configs) {
        delegate.writeConfigs(entityType, entityName, configs);
    }

    @Override
    public ProducerIdBlock claimProducerIdBlock(int brokerId, int size) {
        return delegate.claimProducerIdBlock(brokerId, size);
    }

    @Override
    public OptionalInt controllerId() {
        return delegate.controllerId();
    }

    @Override
    public Watch watch(MetadataListener listener) {
        if (watchFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new CoordinationException("watch refused by the test");
        }
        return delegate.watch(listener);
    }
}
