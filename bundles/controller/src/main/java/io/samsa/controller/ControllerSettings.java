package io.samsa.controller;

/**
 * What the controller is configured with.
 *
 * @param uncleanLeaderElectionEnable        Kafka's broker-level {@code unclean.leader.election.enable}:
 *                                           whether a partition with no live in-sync replica may
 *                                           elect an out-of-sync one (losing what only the ISR
 *                                           had); a topic's own override of the key wins
 * @param autoLeaderRebalanceEnable          {@code auto.leader.rebalance.enable}: whether leadership
 *                                           moves back to preferred replicas by itself
 * @param leaderImbalanceCheckIntervalMs     {@code leader.imbalance.check.interval.seconds}, in ms
 * @param leaderImbalancePerBrokerPercentage {@code leader.imbalance.per.broker.percentage}: the share
 *                                           of a broker's preferred partitions led elsewhere above
 *                                           which they move back to it
 */
record ControllerSettings(boolean uncleanLeaderElectionEnable, boolean autoLeaderRebalanceEnable,
        long leaderImbalanceCheckIntervalMs, int leaderImbalancePerBrokerPercentage) {

    static final ControllerSettings DEFAULTS = new ControllerSettings(false, true, 300_000, 10);

    ControllerSettings {
        if (leaderImbalanceCheckIntervalMs <= 0) {
            throw new IllegalArgumentException("leader.imbalance.check.interval.seconds must be positive, not "
                    + leaderImbalanceCheckIntervalMs / 1000.0);
        }
        if (leaderImbalancePerBrokerPercentage < 0 || leaderImbalancePerBrokerPercentage > 100) {
            throw new IllegalArgumentException("leader.imbalance.per.broker.percentage must be between 0 and 100, not "
                    + leaderImbalancePerBrokerPercentage);
        }
    }

    /** Only unclean election set, the rest defaults. */
    ControllerSettings(boolean uncleanLeaderElectionEnable) {
        this(uncleanLeaderElectionEnable, true, 300_000, 10);
    }

    static ControllerSettings from(ControllerComponent.Config config) {
        return new ControllerSettings(config.unclean_leader_election_enable(),
                config.auto_leader_rebalance_enable(), config.leader_imbalance_check_interval_seconds() * 1000L,
                config.leader_imbalance_per_broker_percentage());
    }

    ControllerSettings withRebalance(boolean enable, long intervalMs, int percentage) {
        return new ControllerSettings(uncleanLeaderElectionEnable, enable, intervalMs, percentage);
    }
}
