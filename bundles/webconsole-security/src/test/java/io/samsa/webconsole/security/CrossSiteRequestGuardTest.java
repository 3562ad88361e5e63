package io.samsa.webconsole.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

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
        AtomicInteger status = new AtomicInteger();
        AtomicBoolean passed = new AtomicBoolean();
        guard.doFilter(request("POST", Map.of("Host", "127.0.0.1:8080", "Origin", "http://evil.example")),
                response(status), chain(passed));
        assertEquals(403, status.get());
        assertFalse("the console never saw it", passed.get());
    }

    @Test
    public void theConsolesOwnPostAndAnyGetPassUntouched() throws Exception {
        AtomicInteger status = new AtomicInteger();
        AtomicBoolean passed = new AtomicBoolean();
        guard.doFilter(request("POST", Map.of("Host", "127.0.0.1:8080", "Origin", "http://127.0.0.1:8080")),
                response(status), chain(passed));
        assertTrue(passed.get());
        passed.set(false);
        guard.doFilter(request("GET", Map.of("Host", "127.0.0.1:8080", "Origin", "http://evil.example")),
                response(status), chain(passed));
        assertTrue(passed.get());
        assertEquals("no status set", 0, status.get());
    }

    @Test
    public void withoutAHostHeaderTheServerAddressIsTheOwnOrigin() throws Exception {
        AtomicBoolean passed = new AtomicBoolean();
        guard.doFilter(request("POST", Map.of("Referer", "http://127.0.0.1:8080/system/console/configMgr")),
                response(new AtomicInteger()), chain(passed));
        assertTrue(passed.get());
    }

    private static FilterChain chain(AtomicBoolean passed) {
        return (req, res) -> passed.set(true);
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
