package io.samsa.bench;

import java.util.List;

/**
 * One measured workload against one running broker, reporting rows into its results. A scenario
 * that fails because of the broker throws {@link BrokerFailure}; the run then records the failure,
 * stops that broker and goes on with the next one.
 */
public interface Scenario {

    /** Short name for progress lines. */
    String name();

    /** Runs against a started broker, which is left running. */
    void run(BrokerUnderTest broker, Results results, Results.BrokerResults out);

    /** Releases what {@link #run} holds if it or a later scenario failed (client connections, threads). */
    default void abandon() {
    }

    /** Target checks comparing a Samsa broker with Kafka, one line each, made from the results. */
    default List<Verdict> verdicts() {
        return List.of();
    }
}
