package io.samsa.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.junit.Test;

import io.samsa.broker.TopicMetadata.PartitionState;

/** The znode documents of topics, byte for byte as Kafka 2.x writes them, and Kafka-written ones read back. */
public class TopicMetadataJsonTest {

    @Test
    public void topicNodeHasKafkasLayout() {
        TreeMap<Integer, List<Integer>> assignment = new TreeMap<>(Map.of(0, List.of(1, 2), 1, List.of(2, 1)));
        Uuid id = new Uuid(1L, 2L);
        TopicMetadata topic = new TopicMetadata("t", id, 0, assignment, Map.of(), Map.of());
        assertEquals("{\"version\":3,\"topic_id\":\"" + id + "\",\"partitions\":{\"0\":[1,2],\"1\":[2,1]},"
                + "\"adding_replicas\":{},\"removing_replicas\":{}}",
                new String(TopicMetadataStore.topicJson(topic), UTF_8));
    }

    @Test
    public void partitionStateRoundTripsAndReadsKafkasOwn() {
        PartitionState s = new PartitionState(3, 1, 7, List.of(1, 2));
        byte[] json = TopicMetadataStore.stateJson(s);
        assertEquals("{\"controller_epoch\":3,\"leader\":1,\"version\":1,\"leader_epoch\":7,\"isr\":[1,2]}",
                new String(json, UTF_8));
        assertEquals(s, TopicMetadataStore.parseState(json));
        String kafka = "{\"controller_epoch\":12,\"leader\":2,\"version\":1,\"leader_epoch\":40,"
                + "\"isr\":[2,0,1],\"leader_recovery_state\":0,\"extra\":{\"nested\":[{\"x\":null}]}}";
        assertEquals(new PartitionState(12, 2, 40, List.of(2, 0, 1)), TopicMetadataStore.parseState(kafka.getBytes(UTF_8)));
        assertEquals(PartitionState.NONE, TopicMetadataStore.parseState(new byte[0]));
    }

    @Test
    public void corruptStateIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TopicMetadataStore.parseState("{\"leader\":".getBytes(UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> TopicMetadataStore.parseState("[1]".getBytes(UTF_8)));
    }
}
