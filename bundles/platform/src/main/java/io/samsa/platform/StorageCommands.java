package io.samsa.platform;

import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo command {@code samsa:storage}: which storage engines are deployed and which one holds the
 * partitions; {@code samsa:storage <engine>} moves the running broker onto another engine by
 * setting {@code storage.target} in the broker's storage selection configuration, as the web
 * console's Configuration page would; {@code samsa:storage any} lets the best-ranked engine win
 * again.
 * <p>
 * Services are looked up by interface name, so this bundle needs no import of the broker API.
 */
@Component(service = StorageCommands.class, property = {
    "osgi.command.scope=samsa",
    "osgi.command.function=storage"})
public class StorageCommands {
    static final String STORAGE_PID = "io.samsa.broker.storage";
    private static final String ENGINE_SERVICE = "io.samsa.api.storage.StorageEngine";
    private static final String PARTITION_SERVICE = "io.samsa.api.broker.PartitionService";
    private static final String ENGINE_PROPERTY = "storage.engine";

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;

    @Activate
    public StorageCommands(BundleContext context, @Reference ConfigurationAdmin configAdmin) {
        this.context = context;
        this.configAdmin = configAdmin;
    }

    public String storage() throws InvalidSyntaxException {
        return "deployed engines: " + String.join(", ", engines(ENGINE_SERVICE)) + System.lineSeparator()
                + "in use: " + String.join(", ", engines(PARTITION_SERVICE));
    }

    public String storage(String engine) throws IOException, InvalidSyntaxException {
        String filter = "any".equals(engine) ? "(" + ENGINE_PROPERTY + "=*)" : "(" + ENGINE_PROPERTY + "=" + engine + ")";
        if (!"any".equals(engine) && !engines(ENGINE_SERVICE).contains(engine)) {
            return "no storage engine '" + engine + "' is deployed; deployed: " + String.join(", ", engines(ENGINE_SERVICE))
                    + " (install one with samsa:feature-install storage-<engine>)";
        }
        new ConfigurationValues(configAdmin).put(STORAGE_PID, Map.of("storage.target", filter));
        return "storage.target of " + STORAGE_PID + " set to " + filter
                + "; the broker reopens its partitions through that engine (see the log)";
    }

    private TreeSet<String> engines(String service) throws InvalidSyntaxException {
        TreeSet<String> names = new TreeSet<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(service, "(" + ENGINE_PROPERTY + "=*)");
        if (refs != null) {
            for (ServiceReference<?> ref : refs) {
                names.add(String.valueOf(ref.getProperty(ENGINE_PROPERTY)));
            }
        }
        return names;
    }
}
