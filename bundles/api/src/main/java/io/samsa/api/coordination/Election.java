package io.samsa.api.coordination;

import java.util.OptionalInt;

/** A candidacy in the controller election; closing it withdraws (and resigns if elected). */
public interface Election extends AutoCloseable {

    /** The broker id of the current controller, if one is elected. */
    OptionalInt controllerId();

    @Override
    void close();
}
