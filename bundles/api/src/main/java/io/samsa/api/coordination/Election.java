package io.samsa.api.coordination;

import java.util.OptionalInt;

/** A candidacy in the controller election; closing it withdraws (and resigns if elected). */
public interface Election extends AutoCloseable {

    /** The broker id of the current controller, if one is elected. */
    OptionalInt controllerId();

    /**
     * The fence of this candidate's latest win: a check that the controller epoch is still the
     * one it wrote on winning. Put it first in every {@link Coordinator#transact transaction} the
     * controller writes; once another candidate has won, those transactions fail at it. (It
     * keeps holding after a resignation until someone else wins, so a resigned controller must
     * stop writing.)
     *
     * @throws IllegalStateException when this candidate has never been elected
     */
    default Op fence() {
        throw new UnsupportedOperationException(getClass().getName() + " offers no controller fence");
    }

    @Override
    void close();
}
