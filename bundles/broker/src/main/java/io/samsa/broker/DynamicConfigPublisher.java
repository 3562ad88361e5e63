package io.samsa.broker;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.Watch;
import io.samsa.api.replication.ClusterMetadataStore;
import io.samsa.api.replication.MetadataListener;

/**
 * Watches this broker's dynamic configuration in the coordinator ({@link DynamicBrokerConfig}:
 * the cluster-wide default node and this broker's node) and publishes the merged values, the
 * per-broker value winning, as the Config Admin configuration {@value #PID}. The platform applies
 * that configuration over server.properties to the component owning each key, so a change made
 * with {@code kafka-configs.sh} on any broker reaches every broker it concerns, live, and again at
 * every start.
 */
@Component(configurationPid = KafkaBroker.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public class DynamicConfigPublisher {
    /** The merged dynamic values of this broker, written here and read by the platform alone. */
    public static final String PID = "io.samsa.broker.dynamic";

    private static final Logger LOG = LoggerFactory.getLogger(DynamicConfigPublisher.class);
    /** Only broker.id is read here; the broker component owns the key. */
    private static final String BROKER_ID = "broker.id";

    private final ConfigurationAdmin configAdmin;
    private final DynamicBrokerConfig dynamicConfig;
    private final String brokerId;
    private final Watch watch;

    @Activate
    public DynamicConfigPublisher(@Reference(name = "metadataStore") ClusterMetadataStore store,
            @Reference ConfigurationAdmin configAdmin, Map<String, Object> properties) {
        this.configAdmin = configAdmin;
        this.dynamicConfig = new DynamicBrokerConfig(store);
        Object id = properties.get(BROKER_ID);
        this.brokerId = id == null ? "0" : String.valueOf(id).trim();
        this.watch = store.watch(new MetadataListener() {
            @Override
            public void resync() {
                publish();
            }

            @Override
            public void configChanged(String entityType, String entityName) {
                if (entityType.equals(DynamicBrokerConfig.BROKERS) && (entityName.equals(DynamicBrokerConfig.DEFAULT_NODE)
                        || entityName.equals(brokerId))) {
                    publish();
                }
            }
        });
    }

    @Deactivate
    void deactivate() {
        watch.close();
    }

    private synchronized void publish() {
        Map<String, String> merged = merged(dynamicConfig.read(""), dynamicConfig.read(brokerId));
        try {
            Configuration config = configAdmin.getConfiguration(PID, "?");
            Dictionary<String, Object> values = new Hashtable<>(merged);
            if (config.updateIfDifferent(values)) {
                LOG.info("Dynamic configuration of broker {}: {}", brokerId, merged.isEmpty() ? "none" : merged);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot publish the dynamic configuration of broker {}", brokerId, e);
        }
    }

    /** Kafka's precedence between the two dynamic levels: a broker's own value over the cluster default. */
    static Map<String, String> merged(Map<String, String> clusterDefault, Map<String, String> broker) {
        Map<String, String> merged = new TreeMap<>(clusterDefault);
        merged.putAll(broker);
        return merged;
    }
}
