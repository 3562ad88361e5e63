package io.samsa.broker;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

import io.samsa.api.storage.LogConfig;

/** The keys kafka-reassign-partitions --throttle sets and --verify deletes. */
public class ReplicationThrottleConfigTest {

    @Test
    public void brokerRatesAreDynamic() {
        assertTrue(DynamicBrokerConfig.isDynamic("leader.replication.throttled.rate"));
        assertTrue(DynamicBrokerConfig.isDynamic("follower.replication.throttled.rate"));
        assertTrue(DynamicBrokerConfig.isDynamic("replica.alter.log.dirs.io.max.bytes.per.second"));
        assertNull(DynamicBrokerConfig.validate("leader.replication.throttled.rate", "10000"));
        assertNull(DynamicBrokerConfig.validate("follower.replication.throttled.rate", String.valueOf(Long.MAX_VALUE)));
    }

    @Test
    public void negativeOrNonNumericRateRefusedNamingTheKey() {
        String negative = DynamicBrokerConfig.validate("leader.replication.throttled.rate", "-1");
        assertTrue(negative, negative != null && negative.contains("leader.replication.throttled.rate")
                && negative.contains("at least 0"));
        String text = DynamicBrokerConfig.validate("follower.replication.throttled.rate", "fast");
        assertTrue(text, text != null && text.contains("follower.replication.throttled.rate"));
    }

    @Test
    public void topicThrottledReplicasAccepted() {
        assertNull(TopicConfigs.validate(Map.of("leader.replication.throttled.replicas", "0:1,1:2"), LogConfig.DEFAULTS));
        assertNull(TopicConfigs.validate(Map.of("follower.replication.throttled.replicas", "*"), LogConfig.DEFAULTS));
        assertNull(TopicConfigs.validate(Map.of("follower.replication.throttled.replicas", ""), LogConfig.DEFAULTS));
    }

    @Test
    public void badThrottledReplicasRefusedNamingTheKey() {
        for (String bad : new String[] {"x:y", "0:1,*", "0", "0:1,"}) {
            String problem = TopicConfigs.validate(Map.of("leader.replication.throttled.replicas", bad),
                    LogConfig.DEFAULTS);
            assertTrue(bad + ": " + problem, problem != null && problem.contains("leader.replication.throttled.replicas"));
        }
    }

    @Test
    public void throttledReplicasNameOneBrokersReplica() {
        assertTrue(TopicConfigs.throttles("0:1,1:2", 1, 2));
        assertFalse(TopicConfigs.throttles("0:1,1:2", 1, 1));
        assertTrue(TopicConfigs.throttles("*", 7, 3));
        assertFalse(TopicConfigs.throttles("", 0, 1));
        assertFalse(TopicConfigs.throttles("x:y", 0, 1));
    }
}
