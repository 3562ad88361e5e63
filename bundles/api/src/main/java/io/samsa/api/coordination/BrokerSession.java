package io.samsa.api.coordination;

/** A broker's registration; closing it unregisters the broker. */
public interface BrokerSession extends AutoCloseable {

    /** The registration epoch assigned by the coordinator, increasing across registrations. */
    long epoch();

    /**
     * Until when (on {@link System#nanoTime()}) this broker may be sure it is still registered
     * in the session it last heard from: before this instant no other broker can have been told
     * it is gone. Compare as {@code lease - System.nanoTime() > 0}. A process that was paused
     * past its session finds this in the past as soon as it resumes, before it has handled any
     * event, which is what keeps a paused leader from acknowledging writes.
     */
    default long leaseValidUntilNanos() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no session lease");
    }

    /** Whether the {@linkplain #leaseValidUntilNanos() lease} is still valid now. */
    default boolean holdsLease() {
        return leaseValidUntilNanos() - System.nanoTime() > 0;
    }

    /**
     * Tells {@code listener} about session loss and re-registration until the registration is
     * closed; it is called with {@link SessionListener#registered} at once.
     */
    default void addListener(SessionListener listener) {
        throw new UnsupportedOperationException(getClass().getName() + " reports no session events");
    }

    /** Stops calling {@code listener}. */
    default void removeListener(SessionListener listener) {
        throw new UnsupportedOperationException(getClass().getName() + " reports no session events");
    }

    @Override
    void close();
}
