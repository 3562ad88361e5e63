package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class RecordFormatTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void jsonIsIndented() {
        assertEquals("{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null,\n    \"x, y\"\n  ],\n  \"c\": {}\n}",
                RecordFormat.JSON.render(utf8("{\"a\":1, \"b\":[true,null,\"x, y\"],\"c\":{ }}")));
        assertEquals("[]", RecordFormat.JSON.render(utf8(" [ ] ")));
        assertEquals("-1.5e3", RecordFormat.JSON.render(utf8("-1.5e3")));
        assertEquals("{\n  \"q\": \"say \\\"hi\\\" {\"\n}", RecordFormat.JSON.render(utf8("{\"q\":\"say \\\"hi\\\" {\"}")));
    }

    @Test
    public void textThatIsNotJsonIsShownAsItIs() {
        for (String notJson : new String[] {"<script>", "{\"a\":1", "{\"a\" 1}", "[1,]", "{a:1}", "tru", "1 2", "\"open", "-", "{\"a\":1}}"}) {
            assertEquals(notJson, notJson, RecordFormat.JSON.render(utf8(notJson)));
        }
    }

    @Test
    public void deeplyNestedInputDoesNotOverflowTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals(deep, RecordFormat.JSON.render(utf8(deep)));
    }

    @Test
    public void hexShowsSixteenBytesALine() {
        byte[] bytes = new byte[18];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 15);
        }
        assertEquals("00 0f 1e 2d 3c 4b 5a 69 78 87 96 a5 b4 c3 d2 e1\nf0 ff", RecordFormat.HEX.render(bytes));
    }

    @Test
    public void bytesThatAreNotUtf8AreShownAsHexEvenAsText() {
        assertEquals("(not UTF-8) c3 28", RecordFormat.TEXT.render(new byte[] {(byte) 0xc3, 0x28}));
        assertEquals("grüße", RecordFormat.TEXT.render(utf8("grüße")));
    }

    @Test
    public void noBytesStayNull() {
        assertNull(RecordFormat.JSON.render(null));
    }

    @Test
    public void formatsAreNamedInAnyCase() {
        assertEquals(RecordFormat.HEX, RecordFormat.parse("Hex"));
        assertEquals(RecordFormat.TEXT, RecordFormat.parse(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordFormat.parse("avro"));
        assertEquals("format must be text, json or hex, not 'avro'", e.getMessage());
    }
}
