package io.samsa.api.coordination;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told how a broker's registration fares, in order, on a coordinator thread. A listener that only
 * cares about some events overrides only those.
 */
@ConsumerType
public interface SessionListener {

    /**
     * The connection to the coordination service is down; the session may still be alive. The
     * broker's {@link BrokerSession#leaseValidUntilNanos() lease} says how long it may act as if
     * it were.
     */
    default void suspended() {
    }

    /** The session ended, and the registration (and every ephemeral node of the session) with it. */
    default void expired() {
    }

    /**
     * The broker is registered with {@code epoch}: called once when the listener is added, and
     * again with a new, larger epoch each time the broker is registered again after an expiry.
     */
    default void registered(long epoch) {
    }
}
