package io.samsa.coordination.zookeeper;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the embedded ZooKeeper server of a single-node cluster, as a component of its own: the
 * coordinator ({@link ZooKeeperCoordinator}) connects to it, and can be reconfigured (and so
 * re-created by DS) while the server, its sessions and its data stay up.
 * <p>
 * It starts the server only while its {@code zookeeper.connect} is empty, the same key the
 * coordinator reads (server.properties feeds both); then it registers the server as a service
 * with its connect string. With an external ensemble it stays active and does nothing, which is
 * why it registers the service by hand rather than declaring it.
 */
@Component(service = {}, immediate = true, configurationPid = EmbeddedZooKeeperComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = EmbeddedZooKeeperComponent.Config.class)
public final class EmbeddedZooKeeperComponent {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeperComponent.class);
    public static final String PID = "io.samsa.coordination.zookeeper.embedded";
    /** Service property of the registered server: where clients connect. */
    public static final String CONNECT_PROPERTY = "zookeeper.connect";
    /** Largest session timeout a client may negotiate; covers any sensible zookeeper.session.timeout.ms. */
    static final int MAX_SESSION_TIMEOUT_MS = 120_000;

    @ObjectClassDefinition(id = PID, name = "Samsa embedded ZooKeeper server",
            description = "A standalone ZooKeeper server on 127.0.0.1 for a single-node cluster; runs only while"
                    + " zookeeper.connect is empty")
    public @interface Config {
        @AttributeDefinition(name = "zookeeper.connect", required = false,
                description = "The ZooKeeper ensemble brokers use; the embedded server runs only while it is empty")
        String zookeeper_connect() default "";

        @AttributeDefinition(name = "zookeeper.embedded.port", description = "Client port of the embedded server"
                + " (127.0.0.1)")
        int zookeeper_embedded_port() default 2181;

        @AttributeDefinition(name = "zookeeper.embedded.dir", description = "Data directory of the embedded server")
        String zookeeper_embedded_dir() default "data/zookeeper";
    }

    /** The configuration, as plain values. */
    public record Settings(String connect, int port, Path dataDir) {
        public static Settings of(Config config) {
            return new Settings(config.zookeeper_connect(), config.zookeeper_embedded_port(),
                    Path.of(config.zookeeper_embedded_dir()));
        }

        /** True when brokers use this server: no external ensemble is configured. */
        public boolean enabled() {
            return connect == null || connect.isBlank();
        }
    }

    private final EmbeddedZooKeeperServer server;
    private final ServiceRegistration<EmbeddedZooKeeperServer> registration;

    @Activate
    public EmbeddedZooKeeperComponent(BundleContext context, Config config) {
        Settings settings = Settings.of(config);
        if (!settings.enabled()) {
            LOG.info("No embedded ZooKeeper server: zookeeper.connect is {}", settings.connect());
            server = null;
            registration = null;
            return;
        }
        if (settings.port() < 0 || settings.port() > 65535) {
            throw new IllegalArgumentException("zookeeper.embedded.port must be a port number (0-65535): "
                    + settings.port());
        }
        server = EmbeddedZooKeeperServer.start(settings.port(), settings.dataDir(), MAX_SESSION_TIMEOUT_MS);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(CONNECT_PROPERTY, server.connectString());
        try {
            registration = context.registerService(EmbeddedZooKeeperServer.class, server, properties);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The running server, or null when zookeeper.connect names an external ensemble. */
    EmbeddedZooKeeperServer server() {
        return server;
    }

    @Deactivate
    public void close() {
        if (registration != null) {
            try {
                registration.unregister(); // first: the coordinator lets go before the port closes
            } catch (IllegalStateException e) {
                // already unregistered with the bundle stopping
            }
        }
        if (server != null) {
            server.close();
        }
    }
}
