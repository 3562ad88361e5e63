package io.samsa.api.replication;

import org.osgi.annotation.versioning.ConsumerType;

import io.samsa.api.broker.ClusterView;

/** The broker the replication runtime works for. The broker implements it. */
@ConsumerType
public interface ReplicaHost {

    int brokerId();

    /** The broker's current registration epoch (it changes when the broker registers again after a session loss). */
    long brokerEpoch();

    /**
     * Whether the broker may be sure it still holds its registration (its session lease is
     * valid): a leader that may not acknowledges nothing.
     */
    boolean holdsLease();

    /** The cluster as the broker sees it: the live brokers and their endpoints, for fetching from leaders. */
    ClusterView cluster();
}
