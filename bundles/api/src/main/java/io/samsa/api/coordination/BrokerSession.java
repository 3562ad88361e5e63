package io.samsa.api.coordination;

/** A broker's registration; closing it unregisters the broker. */
public interface BrokerSession extends AutoCloseable {

    /** The registration epoch assigned by the coordinator, increasing across registrations. */
    long epoch();

    @Override
    void close();
}
