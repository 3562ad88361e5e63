package io.samsa.webconsole.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The guard on the servlet API; the decision itself is {@link OriginPolicyTest}'s. */
public class CrossSiteRequestGuardTest {
    private final CrossSiteRequestGuard guard = new CrossSiteRequestGuard(OriginPolicy.of(new String[0], true));

    @Test
    public void aForeignPostIsAnsweredForbiddenAndGoesNoFurther() throws Exception {
        Outcome outcome = filter("POST", Map.of("Host", "127.0.0.1:8080", "Origin", "http://evil.example"));
        assertEquals(403, outcome.status());
        assertFalse("the console never saw it", outcome.passed());
    }

    @Test
    public void theConsolesOwnPostAndAnyGetPassUntouched() throws Exception {
        assertEquals(new Outcome(0, true), filter("POST", Map.of("Host", "127.0.0.1:8080", "Origin", "http://127.0.0.1:8080")));
        assertEquals(new Outcome(0, true), filter("GET", Map.of("Host", "127.0.0.1:8080", "Origin", "http://evil.example")));
    }

    @Test
    public void withoutAHostHeaderTheServerAddressIsTheOwnOrigin() throws Exception {
        assertEquals(new Outcome(0, true), filter("POST", Map.of("Referer", "http://127.0.0.1:8080/system/console/configMgr")));
    }

    @Test
    public void aBadAllowedOriginLeavesTheConsoleGuardedNotOpen() throws Exception {
        CrossSiteRequestGuard.Config config = (CrossSiteRequestGuard.Config) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {CrossSiteRequestGuard.Config.class},
                (proxy, m, args) -> m.getName().equals("webconsole_allowed_origins")
                        ? new String[] {"http://evil.example", "no origin"} : Boolean.TRUE);
        CrossSiteRequestGuard configured = new CrossSiteRequestGuard(config);
        assertEquals(403, filter(configured, "POST", Map.of("Host", "127.0.0.1:8080", "Origin", "http://evil.example")).status());
        assertEquals(new Outcome(0, true), filter(configured, "POST", Map.of("Host", "127.0.0.1:8080", "Origin", "http://127.0.0.1:8080")));
    }

    /** The status the guard set (0: none) and whether the request went on to the console. */
    private record Outcome(int status, boolean passed) {
    }

    private Outcome filter(String method, Map<String, String> headers) throws Exception {
        return filter(guard, method, headers);
    }

    private static Outcome filter(CrossSiteRequestGuard guard, String method, Map<String, String> headers) throws Exception {
        AtomicInteger status = new AtomicInteger();
        AtomicBoolean passed = new AtomicBoolean();
        FilterChain console = (req, res) -> passed.set(true);
        guard.doFilter(request(method, headers), response(status), console);
        return new Outcome(status.get(), passed.get());
    }

    private static HttpServletRequest request(String method, Map<String, String> headers) {
        Map<String, Object> values = new HashMap<>(Map.of("getMethod", method, "getScheme", "http",
                "getServerName", "127.0.0.1", "getServerPort", 8080, "getRequestURI", "/system/console/bundles/7",
                "getRemoteAddr", "127.0.0.1"));
        return (HttpServletRequest) Proxy.newProxyInstance(CrossSiteRequestGuardTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> m.getName().equals("getHeader")
                        ? headers.get((String) args[0]) : values.get(m.getName()));
    }

    private static HttpServletResponse response(AtomicInteger status) {
        return (HttpServletResponse) Proxy.newProxyInstance(CrossSiteRequestGuardTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    if (m.getName().equals("sendError")) {
                        status.set((Integer) args[0]);
                    }
                    return null;
                });
    }
}
