package io.samsa.api.coordination;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Cluster coordination: a small, strongly consistent, versioned tree of metadata shared by
 * every broker, plus liveness (broker registration) and leadership (controller election).
 * <p>
 * Registered as an OSGi service with {@code coordination.type=<name>}, e.g.
 * {@code zookeeper} or {@code raft}. Methods block until the quorum has answered and throw
 * {@link CoordinationException} when it cannot be reached in time.
 */
@ConsumerType
public interface Coordinator {

    /** Service property naming the implementation. */
    String TYPE_PROPERTY = "coordination.type";

    /** Version to pass to {@link #compareAndSet} when the path must not exist yet. */
    int ABSENT = -1;

    /** Version to pass to {@link #delete} to delete whatever version is there. */
    int ANY_VERSION = -2;

    /** Short name of the implementation. */
    String type();

    /** An identifier of the metadata store shared by every broker of one cluster. */
    String clusterId();

    /** The value at {@code path} with its version, or empty when the path does not exist. */
    Optional<Versioned> read(String path);

    /** Names (not paths) of the children of {@code path}; empty when it has none or does not exist. */
    List<String> children(String path);

    /**
     * Writes {@code value} at {@code path} if its current version is {@code expectedVersion}
     * ({@link #ABSENT}: only if the path does not exist yet). Missing parents are created.
     *
     * @return the new version, or -1 when the condition did not hold (nothing was written)
     */
    int compareAndSet(String path, byte[] value, int expectedVersion);

    /**
     * Deletes {@code path} and everything below it if its version is {@code expectedVersion}
     * (or {@link #ANY_VERSION}).
     *
     * @return true when deleted, false when absent or the version differed
     */
    boolean delete(String path, int expectedVersion);

    /**
     * Applies {@code ops} atomically: all of them take effect, or, when one's condition does not
     * hold, none does and the result names the first failing one. This is how a write is fenced
     * by another node's version, e.g. a controller's by {@link Election#fence()}.
     * <p>
     * As with {@link #compareAndSet}, a failed condition may be reported for a transaction that an
     * earlier attempt committed just before the connection dropped; callers re-read and decide
     * again. A {@link CoordinationException} leaves the outcome unknown.
     *
     * @throws IllegalArgumentException when {@code ops} is empty or holds a null
     */
    default TransactResult transact(List<Op> ops) {
        throw new UnsupportedOperationException(type() + " coordination does not support transact");
    }

    /**
     * Registers this broker as live for as long as the returned session stays open and this
     * process keeps its connection to the coordination service. Registering a broker id that
     * another live process holds fails with {@link CoordinationException}.
     */
    BrokerSession registerBroker(BrokerRegistration registration);

    /** The brokers registered now, by ascending id. */
    List<BrokerRegistration> liveBrokers();

    /**
     * Calls {@code listener} (on a coordinator thread) whenever the value of {@code path} or the
     * set of its children changes, and once right after registration. Events may be coalesced:
     * the listener reads the current state, it is not handed diffs.
     */
    Watch watch(String path, Runnable listener);

    /**
     * Watches {@code root} and everything below it, for as long as the watch stays open. The
     * listener (on a coordinator thread, in order) gets the path of each node created, changed or
     * deleted at or below {@code root}, relative to this coordinator's tree, and reads what it
     * needs. It gets {@code null} once right after registration and whenever events may have been
     * missed (after a lost connection or session): then it must re-read everything it follows.
     * Repeated events for one path may be coalesced.
     */
    default Watch watchTree(String root, Consumer<String> changedPath) {
        throw new UnsupportedOperationException(type() + " coordination does not support watchTree");
    }

    /**
     * Joins the controller election. At most one candidate in the cluster is elected at a time;
     * each election gets a strictly larger epoch, so decisions can be fenced.
     */
    Election electController(int brokerId, ElectionListener listener);

    /** A value and its version. */
    record Versioned(byte[] value, int version) {
    }
}
