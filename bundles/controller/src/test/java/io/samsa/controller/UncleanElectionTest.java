package io.samsa.controller;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionState;

/** Unclean leader election: off by default, per topic over the broker's setting. */
public class UncleanElectionTest {
    private static final String UNCLEAN = "unclean.leader.election.enable";
    private final ControllerTestCluster cluster = new ControllerTestCluster();

    @After
    public void close() {
        cluster.close();
    }

    /**
     * Topics whose one partition has replicas [1, 2] with only 1 in sync, then 1 dies: only an
     * unclean election can give them a leader (2).
     */
    private void loseTheOnlyInSyncReplica(ControllerSettings settings, String... topicsAndOverrides) {
        cluster.brokers(1, 2);
        ControllerTestCluster.awaitTerm(cluster.controller(2, settings));
        for (int i = 0; i < topicsAndOverrides.length; i += 2) {
            String topic = topicsAndOverrides[i];
            String override = topicsAndOverrides[i + 1];
            cluster.createTopic(topic, override == null ? Map.of() : Map.of(UNCLEAN, override), List.of(1, 2));
            TopicPartition tp = new TopicPartition(topic, 0);
            cluster.awaitState(tp, "has a state", PartitionState::exists);
            cluster.writeState(tp, 1, 0, List.of(1));
        }
        cluster.killBroker(1);
    }

    private PartitionState awaitUnclean(String topic) {
        return awaitUnclean(topic, 1);
    }

    private PartitionState awaitUnclean(String topic, int leaderEpoch) {
        PartitionState s = cluster.awaitLeader(new TopicPartition(topic, 0), 2, leaderEpoch);
        assertEquals(List.of(2), s.isr());
        assertEquals(LeaderRecoveryState.RECOVERING, s.recovery());
        return s;
    }

    private void awaitLeaderless(String topic) {
        PartitionState s = cluster.awaitLeader(new TopicPartition(topic, 0), -1, 1);
        assertEquals(List.of(1), s.isr());
        assertEquals(LeaderRecoveryState.RECOVERED, s.recovery());
    }

    @Test
    public void aTopicOverrideEnablesItWhenTheBrokerDefaultIsOff() {
        loseTheOnlyInSyncReplica(ControllerSettings.DEFAULTS, "enabled", "true", "default", null, "bad", "maybe");
        awaitUnclean("enabled");
        awaitLeaderless("default");
        awaitLeaderless("bad");
    }

    @Test
    public void aTopicOverrideDisablesItWhenTheBrokerDefaultIsOn() {
        loseTheOnlyInSyncReplica(new ControllerSettings(true), "disabled", "false", "default", null, "upper",
                " TRUE ");
        awaitLeaderless("disabled");
        awaitUnclean("default");
        awaitUnclean("upper");
    }

    @Test
    public void enablingItForTheBrokerElectsLeaderlessPartitionsWithoutOverride() {
        loseTheOnlyInSyncReplica(ControllerSettings.DEFAULTS, "default", null, "disabled", "false");
        awaitLeaderless("default");
        awaitLeaderless("disabled");
        ControllerComponent controller = cluster.controllers().get(0);
        ElectedController term = controller.term();
        controller.modified(config(true));
        awaitUnclean("default", 2);
        assertSame("no new election for a setting", term, controller.term());
        assertEquals(1, cluster.state(new TopicPartition("disabled", 0)).leaderEpoch());
        assertEquals(-1, cluster.state(new TopicPartition("disabled", 0)).leader());
    }

    private static ControllerComponent.Config config(boolean unclean) {
        return new ControllerComponent.Config() {
            @Override
            public boolean unclean_leader_election_enable() {
                return unclean;
            }

            @Override
            public boolean auto_leader_rebalance_enable() {
                return true;
            }

            @Override
            public long leader_imbalance_check_interval_seconds() {
                return 300;
            }

            @Override
            public int leader_imbalance_per_broker_percentage() {
                return 10;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ControllerComponent.Config.class;
            }
        };
    }

    @Test
    public void enablingItOnALeaderlessTopicElectsAtOnce() {
        loseTheOnlyInSyncReplica(ControllerSettings.DEFAULTS, "late", null);
        awaitLeaderless("late");
        cluster.admin().writeConfigs("topics", "late", Map.of(UNCLEAN, "true"));
        PartitionState s = cluster.awaitLeader(new TopicPartition("late", 0), 2, 2);
        assertEquals(LeaderRecoveryState.RECOVERING, s.recovery());
    }
}
