package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.Test;

/** The text fields of the Topics and Messages forms. */
public class FormParsingTest {

    @Test
    public void topicConfigsAreKeyValueLines() {
        assertEquals(Map.of("cleanup.policy", "compact", "retention.ms", "a=b"),
                TopicsPlugin.configs("cleanup.policy = compact\r\n\n# a comment\nretention.ms=a=b\n"));
        assertEquals("config line 2 is not key=value: 'compact'",
                assertThrows(IllegalArgumentException.class, () -> TopicsPlugin.configs("a=1\ncompact")).getMessage());
    }

    @Test
    public void headersAreNameColonValueLines() {
        RecordHeaders headers = MessagesPlugin.headers("trace-id: abc:1\n\ncontent-type:text/plain");
        Header[] all = headers.toArray();
        assertEquals(2, all.length);
        assertEquals("trace-id", all[0].key());
        assertEquals("abc:1", new String(all[0].value(), StandardCharsets.UTF_8));
        assertEquals("content-type", all[1].key());
        assertEquals("header line 1 is not name: value: 'novalue'",
                assertThrows(IllegalArgumentException.class, () -> MessagesPlugin.headers("novalue")).getMessage());
    }

    @Test
    public void numbersNameTheFieldAndTheBadValue() {
        assertEquals(7, ConsolePlugin.number(" 7 ", "partitions", 1, 10));
        assertEquals("partitions must be a whole number, not 'x7'",
                assertThrows(IllegalArgumentException.class, () -> ConsolePlugin.number("x7", "partitions", 1, 10)).getMessage());
        assertEquals("partitions must be between 1 and 10, not 0",
                assertThrows(IllegalArgumentException.class, () -> ConsolePlugin.number("0", "partitions", 1, 10)).getMessage());
        assertEquals("1.5 KiB", ConsolePlugin.bytes(1536));
        assertEquals("12 B", ConsolePlugin.bytes(12));
    }
}
