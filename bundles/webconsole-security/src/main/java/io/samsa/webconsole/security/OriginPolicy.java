package io.samsa.webconsole.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which requests may change state: the decision of {@link CrossSiteRequestGuard}, without
 * servlets or OSGi so that it is tested on its own.
 *
 * <p>A browser names the page a request comes from in {@code Origin} (always on a cross-origin
 * POST, in every current browser) or, older ones, only in {@code Referer}. A state-changing
 * request is accepted when that origin is the console's own, {@code scheme://host:port} as the
 * request reached it (the {@code Host} header, which a page cannot forge), or one the operator
 * listed. A request with neither header did not come from a page in a browser (curl, scripts,
 * monitoring): it is accepted when {@code allowMissingOrigin}, the default. Sling's Referrer
 * Filter refuses it by default, from the days when browsers sent neither header reliably; today
 * a forged cross-site POST always carries an Origin, so refusing the bare request protects no
 * browser and only breaks curl and scripts. Operators who want Sling's rule switch it off.
 *
 * @param allowedOrigins     further origins, each normalized by {@link #normalize(String)}
 * @param allowMissingOrigin whether a request with neither Origin nor Referer is accepted
 */
record OriginPolicy(Set<String> allowedOrigins, boolean allowMissingOrigin) {

    /** Shown as the origin of a refused request that named none. */
    static final String NO_ORIGIN = "(none)";

    OriginPolicy {
        allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** The policy of the configured values; an entry that is not an origin is an error naming it. */
    static OriginPolicy of(String[] allowedOrigins, boolean allowMissingOrigin) {
        Set<String> origins = new LinkedHashSet<>();
        for (String entry : allowedOrigins == null ? new String[0] : allowedOrigins) {
            if (entry == null || entry.isBlank()) {
                continue;
            }
            String origin = normalize(entry.trim());
            if (origin == null) {
                throw new IllegalArgumentException("webconsole.allowed.origins: \"" + entry
                        + "\" is not an origin (scheme://host[:port], e.g. https://console.example.com)");
            }
            origins.add(origin);
        }
        return new OriginPolicy(origins, allowMissingOrigin);
    }

    /** GET, HEAD and OPTIONS only read; every other method may change something. */
    static boolean changesState(String method) {
        return !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
    }

    /**
     * The origin to refuse the request for, as the Origin header gave it or, from a Referer, its
     * {@code scheme://host:port} (a Referer's path and query may hold what the log should not);
     * null when the request may proceed.
     *
     * @param origin  the Origin header, or null
     * @param referer the Referer header, or null; looked at only when there is no Origin
     * @param scheme  the scheme the request reached the console with
     * @param host    the Host header (host[:port]) the request was sent to
     */
    String refusedOrigin(String method, String origin, String referer, String scheme, String host) {
        if (!changesState(method)) {
            return null;
        }
        String claimed = origin != null ? origin : referer;
        if (claimed == null || claimed.isEmpty()) {
            return allowMissingOrigin ? null : NO_ORIGIN;
        }
        String from = normalize(claimed);
        if (from == null) {
            return claimed; // "null" (a sandboxed or privacy-sensitive page) or garbage: not ours
        }
        if (from.equals(normalize(scheme + "://" + host)) || allowedOrigins.contains(from)) {
            return null;
        }
        return origin != null ? origin : from;
    }

    /**
     * {@code scheme://host:port} of a URL or origin, lower case and with the scheme's default
     * port written out, so that {@code http://Example.com} and {@code http://example.com:80/x}
     * compare equal; null when it has no scheme or host.
     */
    static String normalize(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port < 0) {
            port = switch (scheme) {
                case "http" -> 80;
                case "https" -> 443;
                default -> -1;
            };
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port);
    }
}
