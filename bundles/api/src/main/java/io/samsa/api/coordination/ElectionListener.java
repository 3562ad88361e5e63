package io.samsa.api.coordination;

import org.osgi.annotation.versioning.ConsumerType;

/** Told when this candidate wins or loses the controller role. Called on a coordinator thread. */
@ConsumerType
public interface ElectionListener {

    /** This broker is now the controller; {@code epoch} is larger than any earlier controller's. */
    void elected(int epoch);

    /** This broker is no longer the controller (session lost, or withdrawn). */
    void resigned();
}
