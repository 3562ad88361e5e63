package io.samsa.api.replication;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The replication service: an OSGi service the broker binds, and starts once it is registered
 * in the cluster.
 */
@ProviderType
public interface ReplicationEngine {

    /** Starts replication for {@code host}; closing the runtime stops it. */
    ReplicationRuntime start(ReplicaHost host);
}
