package io.samsa.monitoring.jmx;

import java.lang.management.ManagementFactory;

import javax.management.MBeanServer;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the JVM's platform MBeanServer as an OSGi service. Aries JMX registers the
 * framework MBeans ({@code osgi.core:type=framework,...}) only into MBeanServers it finds in
 * the service registry, and nothing else registers one; using the platform server puts them
 * beside the JVM's own MBeans, where jconsole and the JDK's JMX agent see them.
 *
 * <p>The service is registered by hand because DS would register this component object, not
 * the JDK's MBeanServer instance; the capability below says so in the manifest, where a resolver
 * looks for the MBeanServer that Aries JMX requires.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=javax.management.MBeanServer",
        uses = MBeanServer.class)
@Component(immediate = true, service = {})
public class PlatformMBeanServer {
    private static final Logger LOG = LoggerFactory.getLogger(PlatformMBeanServer.class);

    private final ServiceRegistration<MBeanServer> registration;

    @Activate
    public PlatformMBeanServer(BundleContext context) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        registration = context.registerService(MBeanServer.class, server, null);
        LOG.info("Platform MBeanServer (default domain {}) registered as an OSGi service", server.getDefaultDomain());
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }
}
