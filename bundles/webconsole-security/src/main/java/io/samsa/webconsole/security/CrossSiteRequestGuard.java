package io.samsa.webconsole.security;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refuses cross-site request forgery against the web console: a page on another site, opened
 * by a logged-in operator, must not stop or install bundles or change configurations. The
 * browser would send the operator's credentials along; what gives the request away is its
 * {@code Origin} (see {@link OriginPolicy}).
 *
 * <p>A Servlet Whiteboard {@link Preprocessor} rather than a filter on the console's servlet
 * context: it runs before the HTTP service picks a context or a servlet, so it covers Felix's
 * own pages, the login and every plugin added later, whatever context they register in.
 */
@Component(service = Preprocessor.class, configurationPid = CrossSiteRequestGuard.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CrossSiteRequestGuard.Config.class)
public final class CrossSiteRequestGuard implements Preprocessor {
    private static final Logger LOG = LoggerFactory.getLogger(CrossSiteRequestGuard.class);
    public static final String PID = "io.samsa.webconsole.security";

    @ObjectClassDefinition(id = PID, name = "Samsa web console: cross-site request protection",
            description = "Refuses (403) every request to the web console that could change something (any method"
                    + " but GET, HEAD and OPTIONS) sent by a page of another site, and logs it")
    public @interface Config {
        @AttributeDefinition(name = "webconsole.allowed.origins", description = "Origins besides the console's own"
                + " (scheme://host:port as the browser reached it) whose pages may change things, e.g. a reverse"
                + " proxy's https://console.example.com")
        String[] webconsole_allowed_origins() default {};

        @AttributeDefinition(name = "webconsole.allow.missing.origin", description = "Accept a request with"
                + " neither Origin nor Referer. Browsers send Origin on every cross-site POST, so such a request"
                + " comes from a tool (curl, a script), not from a forged page")
        boolean webconsole_allow_missing_origin() default true;
    }

    private volatile OriginPolicy policy;

    @Activate
    public CrossSiteRequestGuard(Config config) {
        modified(config);
    }

    CrossSiteRequestGuard(OriginPolicy policy) {
        this.policy = policy;
    }

    /**
     * A bad entry must not leave the console unguarded, as a failed activation would: the
     * guard then runs without the configured origins and says so.
     */
    @Modified
    void modified(Config config) {
        try {
            policy = OriginPolicy.of(config.webconsole_allowed_origins(), config.webconsole_allow_missing_origin());
        } catch (IllegalArgumentException e) {
            LOG.error("{}; until it is corrected only the console's own origin may change things", e.getMessage());
            policy = OriginPolicy.of(new String[0], config.webconsole_allow_missing_origin());
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse out) {
            String method = http.getMethod();
            if (OriginPolicy.changesState(method)) {
                String refused = policy.refusedOrigin(method, http.getHeader("Origin"), http.getHeader("Referer"),
                        http.getScheme(), host(http));
                if (refused != null) {
                    LOG.warn("Refused cross-site {} {} from origin {} (client {}): not the console's own origin"
                            + " nor one of webconsole.allowed.origins", method, http.getRequestURI(), refused,
                            http.getRemoteAddr());
                    out.sendError(HttpServletResponse.SC_FORBIDDEN,
                            "Cross-site request refused: origin " + refused + " may not change the web console");
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }

    /** host[:port] the client sent the request to; HTTP/1.0 clients may send no Host header. */
    private static String host(HttpServletRequest request) {
        String host = request.getHeader("Host");
        return host != null && !host.isEmpty() ? host : request.getServerName() + ":" + request.getServerPort();
    }
}
