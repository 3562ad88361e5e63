package io.samsa.api.replication;

import java.util.Optional;

/**
 * The outcome of a conditional change of a partition's state.
 *
 * @param outcome what happened
 * @param state   after {@link Outcome#APPLIED} the state written, at its new partition epoch;
 *                after {@link Outcome#CONFLICT} the state found, if any; empty after
 *                {@link Outcome#FENCED}
 */
public record StateUpdate(Outcome outcome, Optional<PartitionState> state) {

    public enum Outcome {
        /** The change was written. */
        APPLIED,
        /** The partition's state was not at the expected partition epoch (or not there at all); re-read and decide again. */
        CONFLICT,
        /** The fence failed: the writer's election was lost; it must stop writing. */
        FENCED
    }

    public static StateUpdate applied(PartitionState written) {
        return new StateUpdate(Outcome.APPLIED, Optional.of(written));
    }

    public static StateUpdate conflict(Optional<PartitionState> found) {
        return new StateUpdate(Outcome.CONFLICT, found);
    }

    public static StateUpdate fenced() {
        return new StateUpdate(Outcome.FENCED, Optional.empty());
    }

    public boolean applied() {
        return outcome == Outcome.APPLIED;
    }
}
