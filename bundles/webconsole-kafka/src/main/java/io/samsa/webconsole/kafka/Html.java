package io.samsa.webconsole.kafka;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Builds the pages' HTML. Every value that comes from the cluster or the request goes through
 * {@link #text(String)}: topic names, keys and message values are chosen by whoever produces,
 * and a value like {@code <script>} must show as text, not run in an operator's browser.
 */
final class Html {
    private final StringBuilder out = new StringBuilder(4096);

    /**
     * Escapes for both element content and quoted attribute values. {@code $} is escaped as
     * well: the web console rewrites {@code ${name}} in every HTML response with its own
     * variables, which would silently change a message value that contains one.
     */
    static String escape(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder escaped = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                case '$' -> "&#36;";
                case '`' -> "&#96;";
                default -> null;
            };
            if (replacement == null && c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                replacement = "\uFFFD";
            }
            if (replacement != null) {
                if (escaped == null) {
                    escaped = new StringBuilder(value.length() + 16).append(value, 0, i);
                }
                escaped.append(replacement);
            } else if (escaped != null) {
                escaped.append(c);
            }
        }
        return escaped == null ? value : escaped.toString();
    }

    static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** {@code base?k=v&...}, each value URL-encoded (keys with a null value are left out). */
    static String link(String base, Map<String, ?> query) {
        StringBuilder link = new StringBuilder(base);
        char separator = base.contains("?") ? '&' : '?';
        for (Map.Entry<String, ?> e : query.entrySet()) {
            if (e.getValue() != null) {
                link.append(separator).append(url(e.getKey())).append('=').append(url(String.valueOf(e.getValue())));
                separator = '&';
            }
        }
        return link.toString();
    }

    /** Markup written by the plugin itself, never a value from outside. */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    Html text(String value) {
        out.append(escape(value));
        return this;
    }

    Html text(long value) {
        out.append(value);
        return this;
    }

    /** {@code <tag>escaped text</tag>}. */
    Html element(String tag, String value) {
        return raw("<" + tag + ">").text(value).raw("</" + tag.split(" ")[0] + ">");
    }

    Html anchor(String href, String label) {
        return raw("<a href=\"").text(href).raw("\">").text(label).raw("</a>");
    }

    Html row(Object... cells) {
        raw("<tr>");
        for (Object cell : cells) {
            if (cell instanceof Html markup) {
                raw("<td>").raw(markup.toString()).raw("</td>");
            } else {
                raw("<td>").text(cell == null ? "" : String.valueOf(cell)).raw("</td>");
            }
        }
        return raw("</tr>");
    }

    Html headerRow(String... names) {
        raw("<thead><tr>");
        for (String name : names) {
            raw("<th>").text(name).raw("</th>");
        }
        return raw("</tr></thead>");
    }

    Html hidden(String name, String value) {
        return value == null ? this : raw("<input type=\"hidden\" name=\"").text(name).raw("\" value=\"").text(value).raw("\">");
    }

    /** A labelled text input holding {@code value}. */
    Html input(String label, String name, String value, String extra) {
        return raw("<label>").text(label).raw(" <input name=\"").text(name).raw("\" id=\"").text(name).raw("\" value=\"")
                .text(value == null ? "" : value).raw("\" ").raw(extra == null ? "" : extra).raw("></label> ");
    }

    Html select(String label, String name, String selected, String... options) {
        raw("<label>").text(label).raw(" <select name=\"").text(name).raw("\" id=\"").text(name).raw("\">");
        for (String option : options) {
            raw("<option").raw(option.equals(selected) ? " selected" : "").raw(">").text(option).raw("</option>");
        }
        return raw("</select></label> ");
    }

    /** A message box: {@code kind} is {@code ok} or {@code error}. */
    Html notice(String kind, String message) {
        return message == null || message.isEmpty() ? this
                : raw("<p class=\"samsa-" + kind + "\" id=\"samsa-" + kind + "\">").text(message).raw("</p>");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
