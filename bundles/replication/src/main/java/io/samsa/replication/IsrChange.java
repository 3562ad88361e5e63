package io.samsa.replication;

import java.util.List;

import io.samsa.api.replication.PartitionState;

/**
 * An ISR change a leader decided and has not yet seen stored: the state to write, and the
 * partition epoch of the state it was decided from (what the write compares).
 *
 * @param expansion true when a follower joins, false when members leave
 */
record IsrChange(PartitionState next, boolean expansion, int expectedPartitionEpoch) {

    /** The change of {@code from}'s ISR to {@code isr}. */
    static IsrChange of(PartitionState from, List<Integer> isr, boolean expansion) {
        return new IsrChange(from.withIsr(isr), expansion, from.partitionEpoch());
    }

    List<Integer> isr() {
        return next.isr();
    }
}
