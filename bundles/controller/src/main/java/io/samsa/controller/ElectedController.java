package io.samsa.controller;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.MetadataListener;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.replication.TopicRecord;

/**
 * One term of office of this broker as controller: from its election at {@link #epoch()} until it
 * resigns or finds itself fenced. It follows the cluster metadata through the store's watch, on
 * one {@link ControllerEventQueue}, and writes partition states: first states of new partitions
 * ({@link TopicInitializer}) and elections when brokers go or restart ({@link LeaderElection}).
 * <p>
 * Every write passes the election's fence and compares the partition epoch it decided from. A
 * failed fence means another controller was elected: this one stops writing at once, without
 * waiting to be told. A changed partition epoch means someone (the partition's leader, usually)
 * wrote first: the controller re-reads that partition and decides again from what it finds.
 */
final class ElectedController {
    private static final Logger LOG = LoggerFactory.getLogger(ElectedController.class);
    static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    /** Tries of one partition's decision against concurrent writers; its next change event tries again. */
    private static final int MAX_ATTEMPTS = 10;
    /** How long to wait before re-reading everything after the coordinator failed a read or write. */
    private static final long RETRY_BACKOFF_MS = 1000;

    private final int brokerId;
    private final int epoch;
    private final Optional<Op> fence;
    private final Coordinator coordinator;
    private final ClusterMetadataStore store;
    /** Replaced on the queue thread only, between decisions. */
    private ControllerSettings settings;
    private final ControllerEventQueue queue;
    private final ControllerContext context = new ControllerContext();
    private final AtomicReference<Watch> watch = new AtomicReference<>();
    private final AtomicBoolean resyncQueued = new AtomicBoolean();
    private volatile boolean active = true;
    private volatile boolean fenced;
    /** Topic config values already warned about, so a bad one is logged once per term. Queue thread only. */
    private final Set<String> badConfigsWarned = new HashSet<>();
    /** Set while a retry is queued, so failures in a burst queue one. Queue thread only. */
    private boolean retryQueued;
    /** Writes applied in this term (for tests). */
    private volatile int writes;
    /** The names of the events that failed in this term, in order (for tests). */
    private final List<String> failedEvents = new CopyOnWriteArrayList<>();

    ElectedController(int brokerId, int epoch, Op fence, Coordinator coordinator, ClusterMetadataStore store,
            ControllerSettings settings) {
        this(brokerId, epoch, fence, coordinator, store, settings, new ControllerMetrics());
    }

    ElectedController(int brokerId, int epoch, Op fence, Coordinator coordinator, ClusterMetadataStore store,
            ControllerSettings settings, ControllerMetrics metrics) {
        this.brokerId = brokerId;
        this.epoch = epoch;
        this.fence = Optional.of(fence);
        this.coordinator = coordinator;
        this.store = store;
        this.settings = settings;
        this.queue = new ControllerEventQueue("samsa-controller-" + brokerId, this::failed,
                () -> metrics.update(context));
    }

    int epoch() {
        return epoch;
    }

    /** Whether a write found another controller elected since this one. */
    boolean fenced() {
        return fenced;
    }

    boolean active() {
        return active;
    }

    /** How many partition states this term wrote. */
    int writes() {
        return writes;
    }

    /** The events that failed (and were retried by re-reading everything). */
    List<String> failedEvents() {
        return failedEvents;
    }

    /** Starts following the metadata; the watch's first event, a resync, builds the context. */
    void start() {
        queue.submit("watch metadata", this::watchMetadata);
    }

    private void watchMetadata() {
        Watch w = store.watch(new QueueingListener());
        watch.set(w);
        if (!active) {
            closeWatch();
        }
    }

    /**
     * Decides with {@code next} from now on; a partition left leaderless may now be elected
     * uncleanly, so every partition is looked at again.
     */
    void reconfigure(ControllerSettings next) {
        queue.submit("settings changed", () -> {
            settings = next;
            reconcile(context.liveBrokers().keySet(),
                    "unclean.leader.election.enable is now " + next.uncleanLeaderElectionEnable());
        });
    }

    /** Stops deciding now: nothing queued runs, and an event running writes nothing more. */
    void stop() {
        active = false;
        queue.close();
        closeWatch();
    }

    boolean awaitStopped(Duration timeout) {
        return queue.awaitTermination(timeout);
    }

    private void closeWatch() {
        Watch w = watch.getAndSet(null);
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing the metadata watch of controller epoch {} failed", epoch, e);
            }
        }
    }

    /** Turns the store's callbacks into events on the controller's thread. */
    private final class QueueingListener implements MetadataListener {
        @Override
        public void resync() {
            // one queued resync re-reads after all the changes that asked for one
            if (resyncQueued.compareAndSet(false, true)) {
                queue.submit("resync", () -> {
                    resyncQueued.set(false);
                    onResync();
                });
            }
        }

        @Override
        public void brokersChanged() {
            queue.submit("brokers changed", ElectedController.this::onBrokersChanged);
        }

        @Override
        public void topicChanged(String topic) {
            queue.submit("topic " + topic + " changed", () -> onTopicChanged(topic, "topic " + topic + " changed"));
        }

        @Override
        public void configChanged(String entityType, String entityName) {
            if ("topics".equals(entityType)) {
                // a topic's unclean.leader.election.enable may now allow electing a leaderless partition
                queue.submit("configs of topic " + entityName + " changed",
                        () -> onTopicChanged(entityName, "configs of topic " + entityName + " changed"));
            }
        }

        @Override
        public void partitionStateChanged(TopicPartition partition) {
            queue.submit("state of " + partition + " changed", () -> onPartitionStateChanged(partition));
        }
    }

    private void failed(String event, RuntimeException e) {
        failedEvents.add(event);
        if (e instanceof ClusterMetadataStore.FencedException) {
            stopFenced(event);
            return;
        }
        if (e instanceof CoordinationException) {
            LOG.warn("Controller epoch {}: {} failed, re-reading everything in {} ms: {}", epoch, event,
                    RETRY_BACKOFF_MS, e.getMessage());
        } else {
            LOG.error("Controller epoch {}: {} failed, re-reading everything in {} ms", epoch, event,
                    RETRY_BACKOFF_MS, e);
        }
        if (!retryQueued) {
            retryQueued = true;
            queue.schedule("retry", this::retry, RETRY_BACKOFF_MS);
        }
    }

    /** After a failure: watch again if the watch itself failed (its first event re-reads), else re-read now. */
    private void retry() {
        retryQueued = false;
        if (watch.get() == null) {
            watchMetadata();
        } else {
            onResync();
        }
    }

    /**
     * Re-reads everything. The live brokers are compared with those read before (none on the
     * first resync of a term), so a broker that restarted while events were lost still counts as
     * restarted.
     */
    private void onResync() {
        Map<Integer, Long> before = context.liveBrokers();
        Map<Integer, Long> now = readLiveBrokers();
        context.clear();
        for (String name : store.topicNames()) {
            readTopic(name).ifPresent(context::putTopic);
        }
        LOG.info("Controller epoch {} (broker {}) read {} topics, {} partitions, live brokers {}", epoch, brokerId,
                context.topicNames().size(), context.partitions().size(), new TreeSet<>(now.keySet()));
        brokersChanged(before, now, before.isEmpty() ? "controller epoch " + epoch + " read the cluster" : null);
    }

    private void onBrokersChanged() {
        Map<Integer, Long> before = context.liveBrokers();
        Map<Integer, Long> now = readLiveBrokers();
        if (!before.equals(now)) {
            brokersChanged(before, now, null);
        }
    }

    /**
     * A broker gone loses its leaderships and ISR places. A broker back with a new epoch
     * restarted: whatever it had in memory is gone, so it is treated as lost and then returned
     * (its leaderships move, it leaves the ISRs, and a partition it alone was in sync for elects
     * it again at a new leader epoch). Then every partition is brought in line with who is live.
     *
     * @param cause what to log as the reason, null to describe the change
     */
    private void brokersChanged(Map<Integer, Long> before, Map<Integer, Long> now, String cause) {
        Set<Integer> gone = new TreeSet<>(before.keySet());
        gone.removeAll(now.keySet());
        Set<Integer> restarted = new TreeSet<>();
        Set<Integer> joined = new TreeSet<>();
        now.forEach((id, brokerEpoch) -> {
            Long old = before.get(id);
            if (old == null) {
                joined.add(id);
            } else if (!old.equals(brokerEpoch)) {
                restarted.add(id);
            }
        });
        context.liveBrokers(now);
        if (cause == null) {
            String change = describe(gone, restarted, joined, before, now);
            if (change.isEmpty()) {
                cause = "controller epoch " + epoch + " re-read the cluster";
            } else {
                cause = change;
                LOG.info("Controller epoch {}: {}; live brokers now {}", epoch, cause, new TreeSet<>(now.keySet()));
            }
        }
        if (!restarted.isEmpty()) {
            Set<Integer> withoutRestarted = new HashSet<>(now.keySet());
            withoutRestarted.removeAll(restarted);
            for (TopicPartition tp : context.partitions()) {
                PartitionState s = context.state(tp);
                if (s.exists() && (restarted.contains(s.leader()) || s.isr().stream().anyMatch(restarted::contains))) {
                    decide(tp, withoutRestarted, cause);
                }
            }
        }
        reconcile(now.keySet(), cause);
    }

    private static String describe(Set<Integer> gone, Set<Integer> restarted, Set<Integer> joined,
            Map<Integer, Long> before, Map<Integer, Long> now) {
        StringBuilder s = new StringBuilder();
        if (!gone.isEmpty()) {
            s.append("brokers ").append(gone).append(" went offline");
        }
        for (int id : restarted) {
            s.append(s.length() == 0 ? "" : ", ").append("broker ").append(id).append(" restarted (epoch ")
                    .append(before.get(id)).append(" -> ").append(now.get(id)).append(')');
        }
        if (!joined.isEmpty()) {
            s.append(s.length() == 0 ? "" : ", ").append("brokers ").append(joined).append(" registered");
        }
        return s.toString();
    }

    private void onTopicChanged(String topic, String cause) {
        if (refreshTopic(topic)) {
            Set<Integer> live = context.liveBrokers().keySet();
            for (TopicPartition tp : context.partitions(topic)) {
                decide(tp, live, cause);
            }
        }
    }

    private void onPartitionStateChanged(TopicPartition tp) {
        if (context.topic(tp.topic()).isEmpty()) {
            onTopicChanged(tp.topic(), "state of " + tp + " changed");
            return;
        }
        Optional<PartitionState> state = store.partitionState(tp);
        if (state.isEmpty()) {
            // deleted: most likely with its topic, whose state must not be written again
            onTopicChanged(tp.topic(), "state of " + tp + " was deleted");
            return;
        }
        context.putState(tp, state.get());
        decide(tp, context.liveBrokers().keySet(), "state of " + tp + " changed");
    }

    /** Re-reads the topic. @return whether it exists */
    private boolean refreshTopic(String topic) {
        Optional<TopicRecord> record = readTopic(topic);
        if (record.isPresent()) {
            context.putTopic(record.get());
            return true;
        }
        context.removeTopic(topic);
        return false;
    }

    /**
     * The topic as stored; empty when absent, and when unreadable: one topic with a document
     * nobody can parse must not keep the controller from every other topic.
     */
    private Optional<TopicRecord> readTopic(String name) {
        try {
            return store.topic(name);
        } catch (IllegalStateException e) {
            LOG.error("Controller epoch {} leaves topic {} alone: {}", epoch, name, e.getMessage());
            return Optional.empty();
        }
    }

    private void reconcile(Set<Integer> live, String cause) {
        for (TopicPartition tp : context.partitions()) {
            if (!active) {
                return;
            }
            decide(tp, live, cause);
        }
    }

    /**
     * Brings the partition's state in line with {@code live}: the first state when it has none,
     * else an election or a smaller ISR when a broker it counts on is not live.
     */
    private void decide(TopicPartition tp, Set<Integer> live, String cause) {
        for (int attempt = 1; active; attempt++) {
            Optional<TopicRecord> topic = context.topic(tp.topic());
            Optional<PartitionAssignment> assignment = context.assignment(tp);
            if (topic.isEmpty() || assignment.isEmpty()) {
                return;
            }
            PartitionState current = context.state(tp);
            Optional<StateChange> change = current.exists()
                    ? LeaderElection.decide(assignment.get(), current, live, unclean(topic.get()), epoch)
                    : Optional.of(TopicInitializer.firstState(assignment.get(), live, epoch));
            if (change.isEmpty()) {
                return;
            }
            int expected = current.exists() ? current.partitionEpoch() : Coordinator.ABSENT;
            StateUpdate update = store.updatePartitionState(tp, expected, change.get().next(), fence);
            switch (update.outcome()) {
                case APPLIED -> {
                    PartitionState written = update.state().orElseThrow(() -> new IllegalStateException(
                            "The metadata store applied a change of " + tp + " but returned no state"));
                    context.putState(tp, written);
                    writes++;
                    logChange(tp, current, written, change.get().why(), cause);
                    return;
                }
                case FENCED -> {
                    stopFenced("writing the state of " + tp);
                    return;
                }
                case CONFLICT -> {
                    if (update.state().isEmpty()) {
                        // the state went away: re-read its topic, which may have gone with it
                        if (!refreshTopic(tp.topic())) {
                            return;
                        }
                        context.putState(tp, store.partitionState(tp).orElse(PartitionState.NONE));
                    } else {
                        context.putState(tp, update.state().get());
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                        LOG.warn("Controller epoch {}: {} changed under {} decisions in a row; its next change"
                                + " decides again", epoch, tp, attempt);
                        return;
                    }
                    LOG.debug("Controller epoch {}: {} was written meanwhile (now {}); deciding again", epoch, tp,
                            context.state(tp));
                }
            }
        }
    }

    /** A topic's own {@code unclean.leader.election.enable} wins over this broker's. */
    private boolean unclean(TopicRecord topic) {
        String value = topic.configs().get(UNCLEAN_LEADER_ELECTION_ENABLE);
        if (value == null) {
            return settings.uncleanLeaderElectionEnable();
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        if (badConfigsWarned.add(topic.name() + "=" + value)) {
            LOG.warn("Topic {} has {}={}, which is neither true nor false; using the broker's {}", topic.name(),
                    UNCLEAN_LEADER_ELECTION_ENABLE, value, settings.uncleanLeaderElectionEnable());
        }
        return settings.uncleanLeaderElectionEnable();
    }

    private void stopFenced(String what) {
        stop();
        if (!fenced) {
            LOG.warn("Controller epoch {} of broker {} is fenced ({}): another controller was elected; it stops"
                    + " writing", epoch, brokerId, what);
        }
        fenced = true;
    }

    private void logChange(TopicPartition tp, PartitionState before, PartitionState after, String why, String cause) {
        if (!before.exists()) {
            LOG.info("{}: first leader {}, leader epoch {}, ISR {}, partition epoch {} (controller epoch {}): {};"
                    + " event: {}", tp, after.leader(), after.leaderEpoch(), after.isr(), after.partitionEpoch(), epoch,
                    why, cause);
        } else if (before.leader() != after.leader() || before.leaderEpoch() != after.leaderEpoch()) {
            LOG.info("{}: leader {} -> {}, leader epoch {} -> {}, ISR {} -> {}, partition epoch {} -> {}{}"
                    + " (controller epoch {}): {}; event: {}", tp, before.leader(), after.leader(),
                    before.leaderEpoch(), after.leaderEpoch(), before.isr(), after.isr(), before.partitionEpoch(),
                    after.partitionEpoch(), after.recovery() != before.recovery() ? ", " + after.recovery() : "",
                    epoch, why, cause);
        } else {
            LOG.info("{}: ISR {} -> {} under leader {} at leader epoch {}, partition epoch {} -> {} (controller"
                    + " epoch {}): {}; event: {}", tp, before.isr(), after.isr(), after.leader(), after.leaderEpoch(),
                    before.partitionEpoch(), after.partitionEpoch(), epoch, why, cause);
        }
    }

    private Map<Integer, Long> readLiveBrokers() {
        Map<Integer, Long> live = new HashMap<>();
        for (BrokerRegistration b : coordinator.liveBrokers()) {
            live.put(b.brokerId(), b.epoch());
        }
        return live;
    }
}
