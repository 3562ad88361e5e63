package io.samsa.controller;

/**
 * What the controller is configured with.
 *
 * @param uncleanLeaderElectionEnable Kafka's broker-level {@code unclean.leader.election.enable}:
 *                                    whether a partition with no live in-sync replica may elect an
 *                                    out-of-sync one (losing what only the ISR had); a topic's own
 *                                    override of the key wins
 */
record ControllerSettings(boolean uncleanLeaderElectionEnable) {

    static final ControllerSettings DEFAULTS = new ControllerSettings(false);

    static ControllerSettings from(ControllerComponent.Config config) {
        return new ControllerSettings(config.unclean_leader_election_enable());
    }
}
