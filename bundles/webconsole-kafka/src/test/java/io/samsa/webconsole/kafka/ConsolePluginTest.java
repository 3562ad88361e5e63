package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import org.junit.Test;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The post/redirect/get cycle and the page frame, on the servlet API. */
public class ConsolePluginTest {

    /** A page that echoes a parameter and whose one action fails or succeeds as asked. */
    private static final class EchoPlugin extends ConsolePlugin {
        private static final long serialVersionUID = 1L;

        EchoPlugin() {
            super(TopicsPlugin.LABEL, null);
        }

        @Override
        void render(HttpServletRequest request, Html page) throws KafkaCallException {
            if (request.getParameter("fail") != null) {
                throw new KafkaCallException(new IllegalStateException("broker <gone>"));
            }
            page.element("p", request.getParameter("topic"));
        }

        @Override
        Outcome change(String action, HttpServletRequest request) {
            if (action.equals("explode")) {
                throw new IllegalArgumentException("partitions must be a whole number, not 'x'");
            }
            return Outcome.ok("Created topic " + request.getParameter("topic"), query("topic", request.getParameter("topic")));
        }
    }

    private record Response(int status, Map<String, String> headers, StringWriter body) {
    }

    private static HttpServletRequest request(Map<String, String> parameters) {
        return (HttpServletRequest) Proxy.newProxyInstance(ConsolePluginTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getParameter" -> parameters.get((String) args[0]);
                    case "getAttribute" -> "felix.webconsole.appRoot".equals(args[0]) ? "/system/console" : null;
                    case "getRemoteUser" -> "admin";
                    default -> null;
                });
    }

    private static Response call(boolean post, Map<String, String> parameters) throws Exception {
        Map<String, String> headers = new HashMap<>();
        int[] status = {200};
        StringWriter body = new StringWriter();
        PrintWriter writer = new PrintWriter(body);
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(ConsolePluginTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "setStatus" -> {
                        status[0] = (Integer) args[0];
                        yield null;
                    }
                    case "setHeader" -> {
                        headers.put((String) args[0], (String) args[1]);
                        yield null;
                    }
                    case "getWriter" -> writer;
                    default -> null;
                });
        EchoPlugin plugin = new EchoPlugin();
        if (post) {
            plugin.doPost(request(parameters), response);
        } else {
            plugin.doGet(request(parameters), response);
        }
        writer.flush();
        return new Response(status[0], headers, body);
    }

    @Test
    public void aChangeRedirectsToThePageThatShowsItsOutcome() throws Exception {
        Response done = call(true, Map.of("action", "create", "topic", "a&b"));
        assertEquals(303, done.status());
        assertEquals("/system/console/samsa-topics?topic=a%26b&ok=Created+topic+a%26b", done.headers().get("Location"));
        Response refused = call(true, Map.of("action", "explode"));
        assertEquals("/system/console/samsa-topics?error=partitions+must+be+a+whole+number%2C+not+%27x%27",
                refused.headers().get("Location"));
        assertTrue(call(true, Map.of()).headers().get("Location").endsWith("?error=no+action+given"));
    }

    @Test
    public void messagesInTheAddressAreShownAsText() throws Exception {
        String page = call(false, Map.of("error", "<img src=x onerror=alert(1)>", "topic", "<script>")).body().toString();
        assertTrue(page, page.contains("<p class=\"samsa-error\" id=\"samsa-error\">&lt;img src=x onerror=alert(1)&gt;</p>"));
        assertTrue(page, page.contains("<p>&lt;script&gt;</p>"));
        assertFalse(page, page.contains("<img") || page.contains("<script>"));
        assertTrue("the bundle's own assets", page.contains("href=\"/system/console/samsa-topics/res/samsa.css\""));
    }

    @Test
    public void aFailedCallToTheBrokerIsShownWithKafkasMessage() throws Exception {
        String page = call(false, Map.of("fail", "yes")).body().toString();
        assertTrue(page, page.contains("id=\"samsa-error\">IllegalStateException: broker &lt;gone&gt;</p>"));
    }
}
