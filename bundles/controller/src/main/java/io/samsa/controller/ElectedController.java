package io.samsa.controller;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.ControllerService;
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
    /** Live brokers that asked for a controlled shutdown in their current registration. Queue thread only. */
    private Set<Integer> shuttingDown = Set.of();
    private final AtomicReference<Watch> shutdownWatch = new AtomicReference<>();
    /** Requests (ElectLeaders, reassignments) not answered yet; stopping the term answers them NOT_CONTROLLER. */
    private final Set<CompletableFuture<?>> pendingRequests = ConcurrentHashMap.newKeySet();

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
        queue.submit("watch controlled shutdown requests", this::watchShutdownRequests);
        scheduleImbalanceCheck();
    }

    /** The live brokers shutting down, as this term last read them (for tests; read on any thread). */
    Set<Integer> shuttingDown() {
        return shuttingDown;
    }

    private void watchShutdownRequests() {
        Watch w = coordinator.watch(ControllerService.CONTROLLED_SHUTDOWN_PATH,
                () -> queue.submit("controlled shutdown requests changed", this::onShutdownRequests));
        shutdownWatch.set(w);
        if (!active) {
            closeWatches();
        }
    }

    /**
     * Re-reads who asked for a controlled shutdown. A request counts while its broker is live
     * with the epoch it named: one left by an earlier registration of the broker means nothing.
     * Brokers newly shutting down lose their leaderships and ISR places.
     */
    private void onShutdownRequests() {
        Set<Integer> before = shuttingDown;
        Set<Integer> now = readShutdownRequests(context.liveBrokers());
        shuttingDown = now;
        Set<Integer> added = new TreeSet<>(now);
        added.removeAll(before);
        if (!added.isEmpty()) {
            long led = context.partitions().stream().filter(tp -> added.contains(context.state(tp).leader())).count();
            LOG.info("Controller epoch {}: brokers {} asked for a controlled shutdown; moving their {} leaderships"
                    + " and ISR places", epoch, added, led);
            reconcile(context.liveBrokers().keySet(), "controlled shutdown of brokers " + added);
        }
    }

    private Set<Integer> readShutdownRequests(Map<Integer, Long> live) {
        Set<Integer> requested = new TreeSet<>();
        for (String child : coordinator.children(ControllerService.CONTROLLED_SHUTDOWN_PATH)) {
            int id;
            long requestEpoch;
            try {
                id = Integer.parseInt(child);
                requestEpoch = coordinator.read(ControllerService.CONTROLLED_SHUTDOWN_PATH + "/" + child)
                        .map(v -> Long.parseLong(new String(v.value(), StandardCharsets.UTF_8).trim())).orElse(-1L);
            } catch (NumberFormatException e) {
                LOG.warn("Controller epoch {} ignores the controlled shutdown request {}: {}", epoch, child,
                        e.getMessage());
                continue;
            }
            Long liveEpoch = live.get(id);
            if (liveEpoch != null && liveEpoch == requestEpoch) {
                requested.add(id);
            }
        }
        return Set.copyOf(requested);
    }

    private void scheduleImbalanceCheck() {
        queue.schedule("leader imbalance check", this::checkImbalance, settings.leaderImbalanceCheckIntervalMs());
    }

    /** The partition's state as this term last read or wrote it, asked on its thread (for tests). */
    CompletableFuture<PartitionState> knownState(TopicPartition tp) {
        CompletableFuture<PartitionState> known = new CompletableFuture<>();
        queue.submit("state of " + tp + " asked", () -> known.complete(context.state(tp)));
        return known;
    }

    /** Runs a leader imbalance check now, whatever the interval (for tests). */
    void checkImbalanceNow() {
        queue.submit("leader imbalance check (asked)", () -> {
            if (settings.autoLeaderRebalanceEnable()) {
                rebalanceLeaders();
            }
        });
    }

    private void checkImbalance() {
        try {
            if (settings.autoLeaderRebalanceEnable()) {
                rebalanceLeaders();
            }
        } finally {
            scheduleImbalanceCheck();
        }
    }

    /**
     * Kafka's automatic preferred leader election: per broker, when more than
     * {@code leader.imbalance.per.broker.percentage} of the partitions it is the preferred replica
     * of are led by another, each of those whose preferred replica can lead moves back to it.
     * Partitions being reassigned are left to their reassignment.
     */
    private void rebalanceLeaders() {
        Set<Integer> eligible = eligible(context.liveBrokers().keySet());
        Map<Integer, List<TopicPartition>> preferredOf = new TreeMap<>();
        Map<Integer, List<TopicPartition>> ledElsewhere = new HashMap<>();
        for (TopicPartition tp : context.partitions()) {
            Optional<PartitionAssignment> assignment = context.assignment(tp);
            PartitionState state = context.state(tp);
            if (assignment.isEmpty() || assignment.get().reassigning() || !state.exists()) {
                continue;
            }
            int preferred = assignment.get().replicas().get(0);
            preferredOf.computeIfAbsent(preferred, k -> new ArrayList<>()).add(tp);
            if (state.leader() != preferred) {
                ledElsewhere.computeIfAbsent(preferred, k -> new ArrayList<>()).add(tp);
            }
        }
        preferredOf.forEach((broker, partitions) -> {
            List<TopicPartition> elsewhere = ledElsewhere.getOrDefault(broker, List.of());
            int percentage = (int) (100L * elsewhere.size() / partitions.size());
            if (elsewhere.isEmpty() || percentage <= settings.leaderImbalancePerBrokerPercentage()
                    || !eligible.contains(broker)) {
                return;
            }
            LOG.info("Controller epoch {}: broker {} leads {} of the {} partitions it is preferred for ({} % led"
                    + " elsewhere, above leader.imbalance.per.broker.percentage={}); electing it", epoch, broker,
                    partitions.size() - elsewhere.size(), partitions.size(), percentage,
                    settings.leaderImbalancePerBrokerPercentage());
            for (TopicPartition tp : elsewhere) {
                if (!active) {
                    return;
                }
                decide(tp, "leader imbalance of broker " + broker,
                        (topic, assignment, current) -> LeadershipMoves.preferred(assignment, current, eligible(
                                context.liveBrokers().keySet()), epoch).change());
            }
        });
    }

    /**
     * ElectLeaders, on the controller's thread. {@code partitions} empty means every partition,
     * each answered as if named (ELECTION_NOT_NEEDED included), as Kafka's ZooKeeper-era
     * controller answers.
     */
    CompletableFuture<Map<TopicPartition, ApiError>> electLeaders(ElectionType type,
            Optional<Set<TopicPartition>> partitions) {
        return request("elect leaders (" + type + ")", () -> electNow(type, partitions));
    }

    /** AlterPartitionReassignments, on the controller's thread. */
    CompletableFuture<Map<TopicPartition, ApiError>> alterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowReplicationFactorChange) {
        return request("alter partition reassignments", () -> alterNow(targets, allowReplicationFactorChange));
    }

    /** ListPartitionReassignments, on the controller's thread. */
    CompletableFuture<Map<TopicPartition, PartitionAssignment>> listPartitionReassignments(
            Optional<Set<TopicPartition>> partitions) {
        return request("list partition reassignments", () -> {
            Map<TopicPartition, PartitionAssignment> ongoing = new LinkedHashMap<>();
            for (TopicPartition tp : partitions.<java.util.Collection<TopicPartition>>map(List::copyOf)
                    .orElseGet(context::partitions)) {
                context.assignment(tp).filter(PartitionAssignment::reassigning).ifPresent(a -> ongoing.put(tp, a));
            }
            return ongoing;
        });
    }

    /** Answers {@code work} from the controller's thread; NOT_CONTROLLER once this term ends. */
    private <T> CompletableFuture<T> request(String name, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        pendingRequests.add(result);
        result.whenComplete((r, e) -> pendingRequests.remove(result));
        queue.submit(name, () -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                // the caller hears of it; the queue re-reads everything as after any failed event
                result.completeExceptionally(e);
                throw e;
            }
        });
        if (!active) {
            result.completeExceptionally(notController());
        }
        return result;
    }

    /**
     * Records the moves asked for, one topic node write per topic, then takes each as far as it
     * can go now (a move onto replicas already in sync finishes at once).
     */
    private Map<TopicPartition, ApiError> alterNow(Map<TopicPartition, Optional<List<Integer>>> targets,
            boolean allowReplicationFactorChange) {
        Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
        Map<String, Map<Integer, Optional<List<Integer>>>> byTopic = new TreeMap<>();
        targets.forEach((tp, target) -> byTopic.computeIfAbsent(tp.topic(), t -> new TreeMap<>())
                .put(tp.partition(), target));
        Set<Integer> registered = context.liveBrokers().keySet();
        byTopic.forEach((topic, asked) -> {
            Map<Integer, ApiError> outcome = new TreeMap<>();
            boolean written = writeAssignment(topic, "reassignment asked", current -> {
                outcome.clear();
                Map<Integer, PartitionAssignment> changed = new TreeMap<>();
                asked.forEach((partition, target) -> {
                    PartitionAssignment a = current.get(partition);
                    if (a == null) {
                        outcome.put(partition, new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                "Partition " + partition + " of " + topic + " does not exist"));
                    } else if (target.isEmpty()) {
                        if (!a.reassigning()) {
                            outcome.put(partition, new ApiError(Errors.NO_REASSIGNMENT_IN_PROGRESS,
                                    "No reassignment of " + topic + "-" + partition + " is in progress"));
                        } else {
                            changed.put(partition, Reassignments.cancel(a));
                        }
                    } else {
                        ApiError invalid = Reassignments.validate(target.get(), registered,
                                Reassignments.original(a).size(), allowReplicationFactorChange);
                        if (invalid.isFailure()) {
                            outcome.put(partition, invalid);
                        } else if (!Reassignments.begin(a, target.get()).equals(a)) {
                            changed.put(partition, Reassignments.begin(a, target.get()));
                        }
                    }
                });
                return changed;
            });
            if (!active) {
                throw notController();
            }
            for (int partition : asked.keySet()) {
                TopicPartition tp = new TopicPartition(topic, partition);
                ApiError error = outcome.get(partition);
                if (error == null && !written && context.topic(topic).isEmpty()) {
                    error = new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + topic + " does not exist");
                }
                results.put(tp, error == null ? ApiError.NONE : error);
                if (error == null) {
                    context.assignment(tp).ifPresent(a -> LOG.info("Controller epoch {}: {} is reassigned: replicas {},"
                            + " adding {}, removing {}", epoch, tp, a.replicas(), a.adding(), a.removing()));
                    advanceReassignment(tp, eligible(context.liveBrokers().keySet()));
                }
            }
        });
        return results;
    }

    /**
     * Writes the topic node with what {@code change} makes of its assignment, deciding again from
     * a re-read when someone wrote first.
     *
     * @param change the partitions to replace, given the current assignment; none to write nothing
     * @return whether a write was made
     */
    private boolean writeAssignment(String topic, String why,
            Function<Map<Integer, PartitionAssignment>, Map<Integer, PartitionAssignment>> change) {
        for (int attempt = 1; active && attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<TopicRecord> record = context.topic(topic);
            if (record.isEmpty()) {
                return false;
            }
            Map<Integer, PartitionAssignment> changed = change.apply(record.get().partitions());
            if (changed.isEmpty()) {
                return false;
            }
            SortedMap<Integer, PartitionAssignment> next = new TreeMap<>(record.get().partitions());
            next.putAll(changed);
            int version = store.updateAssignment(topic, record.get().version(), next, fence);
            refreshTopic(topic);
            if (version >= 0) {
                writes++;
                return true;
            }
            LOG.debug("Controller epoch {}: the topic node of {} changed meanwhile ({}); deciding again", epoch, topic,
                    why);
        }
        return false;
    }

    /**
     * Takes the partition's reassignment a step on: once the whole target is in sync, leadership
     * and ISR move into it, then the assignment becomes the target. A partition not being
     * reassigned whose state still names replicas it no longer has (a cancelled move) is fitted
     * back into its replicas.
     */
    private void advanceReassignment(TopicPartition tp, Set<Integer> eligible) {
        Optional<PartitionAssignment> assignment = context.assignment(tp);
        PartitionState state = context.state(tp);
        if (assignment.isEmpty() || !state.exists()) {
            return;
        }
        if (!assignment.get().reassigning()) {
            List<Integer> replicas = assignment.get().replicas();
            if (state.leader() >= 0 && (!replicas.contains(state.leader()) || !replicas.containsAll(state.isr()))) {
                decide(tp, "replicas of " + tp + " are " + replicas, (topic, a, current) -> a.reassigning()
                        ? Optional.empty() : Reassignments.fitTo(a.replicas(), current, eligible, epoch));
            }
            return;
        }
        if (!state.isr().containsAll(Reassignments.target(assignment.get()))) {
            return; // the adding replicas are still copying
        }
        decide(tp, "reassignment of " + tp, (topic, a, current) -> a.reassigning()
                && current.isr().containsAll(Reassignments.target(a))
                        ? Reassignments.fitTo(Reassignments.target(a), current, eligible, epoch) : Optional.empty());
        if (Reassignments.finished(context.assignment(tp).orElseThrow(), context.state(tp))) {
            List<Integer> target = Reassignments.target(context.assignment(tp).orElseThrow());
            if (writeAssignment(tp.topic(), "reassignment of " + tp + " finished", current -> {
                PartitionAssignment a = current.get(tp.partition());
                return a != null && a.reassigning() && Reassignments.target(a).equals(target)
                        ? Map.of(tp.partition(), PartitionAssignment.of(target)) : Map.of();
            })) {
                LOG.info("Controller epoch {}: reassignment of {} finished: replicas {}", epoch, tp, target);
            }
        }
    }

    private NotControllerException notController() {
        return new NotControllerException("Broker " + brokerId + " is no longer the controller (epoch " + epoch
                + " ended)");
    }

    private Map<TopicPartition, ApiError> electNow(ElectionType type, Optional<Set<TopicPartition>> requested) {
        Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
        Set<Integer> live = context.liveBrokers().keySet();
        Set<Integer> eligible = eligible(live);
        for (TopicPartition tp : requested.<java.util.Collection<TopicPartition>>map(List::copyOf)
                .orElseGet(context::partitions)) {
            if (context.assignment(tp).isEmpty() || !context.state(tp).exists()) {
                results.put(tp, new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The partition does not exist"));
                continue;
            }
            Errors[] refused = {Errors.NONE};
            boolean written = decide(tp, "ElectLeaders " + type, (topic, assignment, current) -> {
                LeadershipMoves.Election e = type == ElectionType.PREFERRED
                        ? LeadershipMoves.preferred(assignment, current, eligible, epoch)
                        : LeadershipMoves.unclean(assignment, current, eligible, epoch);
                refused[0] = e.error();
                return e.change();
            });
            if (!active) {
                throw notController();
            }
            if (written) {
                results.put(tp, ApiError.NONE);
            } else if (refused[0] != Errors.NONE) {
                results.put(tp, new ApiError(refused[0], describe(refused[0], tp)));
            } else {
                results.put(tp, new ApiError(Errors.UNKNOWN_SERVER_ERROR, tp + " kept changing; try again"));
            }
        }
        return results;
    }

    private static String describe(Errors error, TopicPartition tp) {
        return switch (error) {
            case ELECTION_NOT_NEEDED -> "Leader election not needed for " + tp;
            case PREFERRED_LEADER_NOT_AVAILABLE -> "The preferred replica of " + tp + " is not live or not in sync";
            case ELIGIBLE_LEADERS_NOT_AVAILABLE -> "No replica of " + tp + " is live";
            default -> error.message();
        };
    }

    private void watchMetadata() {
        Watch w = store.watch(new QueueingListener());
        watch.set(w);
        if (!active) {
            closeWatches();
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
        closeWatches();
        for (CompletableFuture<?> pending : List.copyOf(pendingRequests)) {
            pending.completeExceptionally(notController());
        }
    }

    boolean awaitStopped(Duration timeout) {
        return queue.awaitTermination(timeout);
    }

    private void closeWatches() {
        closeWatch(watch);
        closeWatch(shutdownWatch);
    }

    private void closeWatch(AtomicReference<Watch> held) {
        Watch w = held.getAndSet(null);
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
        shuttingDown = readShutdownRequests(now);
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
     * else an election or a smaller ISR when a broker it counts on is not live, and leadership
     * and ISR places moved off brokers shutting down; then a reassignment in progress is taken
     * as far as it can go.
     */
    private void decide(TopicPartition tp, Set<Integer> live, String cause) {
        Set<Integer> eligible = eligible(live);
        decideLeadership(tp, live, eligible, cause);
        if (active) {
            advanceReassignment(tp, eligible);
        }
    }

    private void decideLeadership(TopicPartition tp, Set<Integer> live, Set<Integer> eligible, String cause) {
        decide(tp, cause, (topic, assignment, current) -> {
            if (!current.exists()) {
                return Optional.of(TopicInitializer.firstState(assignment, eligible.isEmpty() ? live : eligible,
                        epoch));
            }
            Optional<StateChange> change = LeaderElection.decide(assignment, current, live, unclean(topic), epoch);
            Optional<StateChange> moved = LeadershipMoves.awayFromShuttingDown(assignment,
                    change.map(StateChange::next).orElse(current), current, shuttingDown, live, epoch);
            if (moved.isEmpty()) {
                return change;
            }
            return Optional.of(change.isEmpty() ? moved.get()
                    : new StateChange(moved.get().next(), change.get().why() + "; " + moved.get().why()));
        });
    }

    /** Live brokers not shutting down: those that may take a leadership or stay in an ISR. */
    private Set<Integer> eligible(Set<Integer> live) {
        if (shuttingDown.isEmpty()) {
            return live;
        }
        Set<Integer> eligible = new HashSet<>(live);
        eligible.removeAll(shuttingDown);
        return eligible;
    }

    /** Decides what one partition's state should be, from what the context holds of it. */
    @FunctionalInterface
    private interface Decision {
        Optional<StateChange> decide(TopicRecord topic, PartitionAssignment assignment, PartitionState current);
    }

    /**
     * Writes what {@code decision} makes of the partition's state, deciding again from what it
     * finds when someone wrote first.
     *
     * @return whether a state was written
     */
    private boolean decide(TopicPartition tp, String cause, Decision decision) {
        for (int attempt = 1; active; attempt++) {
            Optional<TopicRecord> topic = context.topic(tp.topic());
            Optional<PartitionAssignment> assignment = context.assignment(tp);
            if (topic.isEmpty() || assignment.isEmpty()) {
                return false;
            }
            PartitionState current = context.state(tp);
            Optional<StateChange> change = decision.decide(topic.get(), assignment.get(), current);
            if (change.isEmpty()) {
                return false;
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
                    return true;
                }
                case FENCED -> {
                    stopFenced("writing the state of " + tp);
                    return false;
                }
                case CONFLICT -> {
                    if (update.state().isEmpty()) {
                        // the state went away: re-read its topic, which may have gone with it
                        if (!refreshTopic(tp.topic())) {
                            return false;
                        }
                        context.putState(tp, store.partitionState(tp).orElse(PartitionState.NONE));
                    } else {
                        context.putState(tp, update.state().get());
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                        LOG.warn("Controller epoch {}: {} changed under {} decisions in a row; its next change"
                                + " decides again", epoch, tp, attempt);
                        return false;
                    }
                    LOG.debug("Controller epoch {}: {} was written meanwhile (now {}); deciding again", epoch, tp,
                            context.state(tp));
                }
            }
        }
        return false;
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
