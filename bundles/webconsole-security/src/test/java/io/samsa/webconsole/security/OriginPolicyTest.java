package io.samsa.webconsole.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class OriginPolicyTest {
    private static final String HOST = "127.0.0.1:8080";
    private final OriginPolicy policy = OriginPolicy.of(new String[] {"https://Console.Example.com", " "}, true);

    @Test
    public void readingIsNeverRefused() {
        for (String method : new String[] {"GET", "HEAD", "OPTIONS"}) {
            assertNull(method, policy.refusedOrigin(method, "http://evil.example", null, "http", HOST));
        }
    }

    @Test
    public void everyOtherMethodFromAForeignOriginIsRefused() {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "PROPFIND"}) {
            assertEquals(method, "http://evil.example", policy.refusedOrigin(method, "http://evil.example", null, "http", HOST));
        }
    }

    @Test
    public void theConsolesOwnOriginAsTheRequestReachedIt() {
        assertNull(policy.refusedOrigin("POST", "http://127.0.0.1:8080", null, "http", HOST));
        assertNull("default port", policy.refusedOrigin("POST", "http://broker1", null, "http", "broker1"));
        assertNull("case", policy.refusedOrigin("POST", "HTTP://Broker1:80", null, "http", "broker1:80"));
        assertEquals("another port is another origin", "http://127.0.0.1:9999",
                policy.refusedOrigin("POST", "http://127.0.0.1:9999", null, "http", HOST));
        assertEquals("another scheme is another origin", "https://127.0.0.1:8080",
                policy.refusedOrigin("POST", "https://127.0.0.1:8080", null, "http", HOST));
        assertEquals("localhost is not 127.0.0.1 to a browser", "http://localhost:8080",
                policy.refusedOrigin("POST", "http://localhost:8080", null, "http", HOST));
    }

    @Test
    public void configuredOriginsAreAllowed() {
        assertNull(policy.refusedOrigin("POST", "https://console.example.com", null, "http", HOST));
        assertNull(policy.refusedOrigin("POST", "https://console.example.com:443", null, "http", HOST));
        assertEquals("https://console.example.com:8443",
                policy.refusedOrigin("POST", "https://console.example.com:8443", null, "http", HOST));
    }

    @Test
    public void refererCountsOnlyWithoutOrigin() {
        assertNull(policy.refusedOrigin("POST", null, "http://127.0.0.1:8080/system/console/bundles", "http", HOST));
        assertEquals("http://evil.example:80",
                policy.refusedOrigin("POST", null, "http://evil.example/attack.html?x=1", "http", HOST));
        assertEquals("Origin wins over Referer", "http://evil.example",
                policy.refusedOrigin("POST", "http://evil.example", "http://127.0.0.1:8080/", "http", HOST));
    }

    @Test
    public void opaqueAndGarbageOriginsAreForeign() {
        assertEquals("null", policy.refusedOrigin("POST", "null", null, "http", HOST));
        assertEquals("not a url", policy.refusedOrigin("POST", "not a url", null, "http", HOST));
        assertEquals("file:///tmp/x.html", policy.refusedOrigin("POST", "file:///tmp/x.html", null, "http", HOST));
    }

    @Test
    public void aRequestNamingNoOriginIsAToolsAndAllowedUnlessSwitchedOff() {
        assertNull(policy.refusedOrigin("POST", null, null, "http", HOST));
        assertNull(policy.refusedOrigin("POST", "", null, "http", HOST));
        OriginPolicy strict = OriginPolicy.of(new String[0], false);
        assertEquals(OriginPolicy.NO_ORIGIN, strict.refusedOrigin("POST", null, null, "http", HOST));
        assertNull(strict.refusedOrigin("GET", null, null, "http", HOST));
    }

    @Test
    public void aConfiguredEntryThatIsNoOriginIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OriginPolicy.of(new String[] {"console.example.com"}, true));
        assertTrue(e.getMessage(), e.getMessage().contains("\"console.example.com\" is not an origin"));
    }

    @Test
    public void normalizeWritesOutTheDefaultPort() {
        assertEquals("https://a.example:443", OriginPolicy.normalize("https://A.example/path"));
        assertEquals("http://[::1]:8080", OriginPolicy.normalize("http://[::1]:8080"));
        assertNull(OriginPolicy.normalize("/relative"));
    }
}
