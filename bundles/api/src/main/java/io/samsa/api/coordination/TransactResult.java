package io.samsa.api.coordination;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Coordinator#transact}: either every operation took effect, with the
 * version each left behind, or none did, with the index of the first operation whose condition
 * failed and why.
 *
 * @param versions per operation, when committed: the version a {@link Op.Check} saw, the new
 *                 version of a {@link Op.Set}, 0 for a {@link Op.Create}, -1 for a
 *                 {@link Op.Delete}; empty when the transaction failed
 * @param failedOp index of the first failing operation; -1 when committed
 * @param failure  why it failed; {@link Failure#NONE} when committed
 */
public record TransactResult(List<Integer> versions, int failedOp, Failure failure) {

    /** Why an operation's condition did not hold. */
    public enum Failure {
        /** The transaction committed. */
        NONE,
        /** The node is at another version than the operation expected. */
        BAD_VERSION,
        /** The node (or, for a create, a parent) does not exist. */
        NO_NODE,
        /** A create found the node already there. */
        NODE_EXISTS,
        /** A delete found children below the node. */
        NOT_EMPTY,
        /** A create would put a node below an ephemeral node. */
        EPHEMERAL_PARENT
    }

    public TransactResult {
        versions = List.copyOf(versions);
        Objects.requireNonNull(failure, "failure");
        if ((failure == Failure.NONE) != (failedOp == -1) || failure != Failure.NONE && !versions.isEmpty()) {
            throw new IllegalArgumentException("A committed result has failedOp -1 and failure NONE; a failed one an"
                    + " index, a reason and no versions: " + versions + ", " + failedOp + ", " + failure);
        }
    }

    public static TransactResult committed(List<Integer> versions) {
        return new TransactResult(versions, -1, Failure.NONE);
    }

    public static TransactResult failed(int failedOp, Failure failure) {
        if (failedOp < 0 || failure == Failure.NONE) {
            throw new IllegalArgumentException("A failed transaction names the failing op and a reason: " + failedOp
                    + ", " + failure);
        }
        return new TransactResult(List.of(), failedOp, failure);
    }

    public boolean isCommitted() {
        return failure == Failure.NONE;
    }
}
