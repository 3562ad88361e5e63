package io.samsa.webconsole.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What the Samsa pages share. A page is a plain jakarta servlet the web console wraps with its
 * header and navigation (a GET without extension); a POST changes something, then redirects to
 * a GET that shows the outcome (post/redirect/get), so reloading a page never repeats a change.
 * Assets come from the bundle's {@code /res/} folder, which the console serves under each label.
 */
abstract class ConsolePlugin extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String CATEGORY = "Samsa";
    static final Logger LOG = LoggerFactory.getLogger(ConsolePlugin.class);

    private final String label;
    /** The cluster, as every page sees it. */
    final transient KafkaConnection kafka;

    ConsolePlugin(String label, KafkaConnection kafka) {
        this.label = label;
        this.kafka = kafka;
    }

    /** The outcome of a POST: the page to show next, with an ok or error message. */
    record Outcome(Map<String, String> query, String ok, String error) {
        static Outcome ok(String message, Map<String, String> query) {
            return new Outcome(query, message, null);
        }

        static Outcome error(String message, Map<String, String> query) {
            return new Outcome(query, null, message);
        }
    }

    /** Writes the page body (the console adds its header and navigation around it). */
    abstract void render(HttpServletRequest request, Html page) throws KafkaCallException;

    /** Carries out the POSTed {@code action}. */
    abstract Outcome change(String action, HttpServletRequest request);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Html page = new Html();
        String res = root(request, label) + "/res/";
        page.raw("<link rel=\"stylesheet\" href=\"").text(res + "samsa.css").raw("\">")
                .raw("<script src=\"").text(res + "samsa.js").raw("\" defer></script>")
                .raw("<div class=\"samsa\" id=\"samsa-").text(label).raw("\">");
        navigation(request, page);
        page.notice("ok", request.getParameter("ok")).notice("error", request.getParameter("error"));
        try {
            render(request, page);
        } catch (KafkaCallException e) {
            page.notice("error", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Console page {} failed", label, e);
            page.notice("error", e.getMessage() == null ? e.toString() : e.getMessage());
        }
        page.raw("</div>");
        response.setContentType("text/html");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(page.toString());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setCharacterEncoding(StandardCharsets.UTF_8.name());
        String action = request.getParameter("action");
        Outcome outcome;
        try {
            outcome = action == null ? Outcome.error("no action given", Map.of()) : change(action, request);
        } catch (IllegalArgumentException e) {
            outcome = Outcome.error(e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            LOG.warn("Console action {} {} failed", label, action, e);
            outcome = Outcome.error(KafkaCallException.describe(e), Map.of());
        }
        if (outcome.ok() != null) {
            LOG.info("Web console {} by {}: {}", label, request.getRemoteUser(), outcome.ok());
        }
        Map<String, String> query = new LinkedHashMap<>(outcome.query());
        query.put("ok", outcome.ok());
        query.put("error", outcome.error());
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", Html.link(root(request, label), query));
    }

    /** The links between the four pages, the current one marked. */
    private void navigation(HttpServletRequest request, Html page) {
        page.raw("<p class=\"samsa-nav\">");
        for (String[] other : new String[][] {{ClusterPlugin.LABEL, "Cluster"}, {TopicsPlugin.LABEL, "Topics"},
                {MessagesPlugin.LABEL, "Messages"}, {GroupsPlugin.LABEL, "Consumer groups"}}) {
            if (other[0].equals(label)) {
                page.raw("<strong>").text(other[1]).raw("</strong> ");
            } else {
                page.anchor(root(request, other[0]), other[1]).raw(" ");
            }
        }
        page.raw("</p>");
    }

    /** The URL of a plugin's page, e.g. {@code /system/console/samsa-topics}. */
    static String root(HttpServletRequest request, String label) {
        Object app = request.getAttribute("felix.webconsole.appRoot");
        String appRoot = app != null ? app.toString() : request.getContextPath() + request.getServletPath();
        return appRoot + "/" + label;
    }

    static String parameter(HttpServletRequest request, String name, String fallback) {
        String value = request.getParameter(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static String required(HttpServletRequest request, String name, String what) {
        String value = request.getParameter(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("give " + what);
        }
        return value.trim();
    }

    /** A whole number within bounds, or a message naming the field and what it got. */
    static int number(HttpServletRequest request, String name, String what, int fallback, int min, int max) {
        String value = request.getParameter(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return number(value, what, min, max);
    }

    static int number(String value, String what, int min, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + value.trim() + "'");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", not " + parsed);
        }
        return (int) parsed;
    }

    static String bytes(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static Map<String, String> query(String... keysAndValues) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            query.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return query;
    }
}
