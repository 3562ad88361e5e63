package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.Test;

public class HtmlTest {

    @Test
    public void markupInAValueBecomesText() {
        assertEquals("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;", Html.escape("<script>alert(\"x\")</script>"));
        assertEquals("a&amp;b &#39;c&#39; &#96;d&#96;", Html.escape("a&b 'c' `d`"));
    }

    @Test
    public void theConsolesVariableSyntaxIsEscapedSoItIsNotReplaced() {
        assertEquals("&#36;{appRoot}", Html.escape("${appRoot}"));
    }

    @Test
    public void controlCharactersAreReplacedButLineBreaksKept() {
        assertEquals("a\uFFFDb\nc\td", Html.escape("a\u0000b\nc\td"));
    }

    @Test
    public void aPlainValueIsReturnedAsItIsAndNullIsEmpty() {
        String plain = "orders-2026.eu_west";
        assertSame(plain, Html.escape(plain));
        assertEquals("", Html.escape(null));
    }

    @Test
    public void rowsEscapeCellsButNotNestedMarkup() {
        String row = new Html().row("<b>", new Html().anchor("/x?a=1&b=2", "<i>")).toString();
        assertEquals("<tr><td>&lt;b&gt;</td><td><a href=\"/x?a=1&amp;b=2\">&lt;i&gt;</a></td></tr>", row);
    }

    @Test
    public void linksEncodeValuesAndLeaveOutNulls() {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("topic", "a b&c");
        query.put("page", 2);
        query.put("search", null);
        assertEquals("/p?topic=a+b%26c&page=2", Html.link("/p", query));
        assertEquals("/p?x=1&topic=t", Html.link("/p?x=1", Map.of("topic", "t")));
    }

    @Test
    public void inputValuesCannotBreakOutOfTheAttribute() {
        String input = new Html().input("Key", "key", "\"><script>", null).toString();
        assertTrue(input, input.contains("value=\"&quot;&gt;&lt;script&gt;\""));
        assertFalse(input, input.contains("<script>"));
    }
}
