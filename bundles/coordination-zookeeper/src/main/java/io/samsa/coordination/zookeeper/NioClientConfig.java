package io.samsa.coordination.zookeeper;

import org.apache.zookeeper.client.ZKClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper client settings for a plain (NIO, non-TLS) connection, taken from system properties
 * like {@link ZKClientConfig} does, minus the TLS ones.
 * <p>
 * Why: ZKClientConfig's constructor copies TLS system properties through ClientX509Util, and that
 * class links against Netty's SslContext, so merely creating a client fails with
 * NoClassDefFoundError when Netty is absent, as it is here (the wrapper bundle imports Netty
 * optionally and the runtime does not ship it). Skipping that step keeps clients working on the
 * JDK alone; TLS to ZooKeeper, which needs Netty anyway, is not supported.
 */
final class NioClientConfig extends ZKClientConfig {
    private static final Logger LOG = LoggerFactory.getLogger(NioClientConfig.class);
    private static final String NIO_SOCKET = "org.apache.zookeeper.ClientCnxnSocketNIO";

    /** Properties ZKConfig and ZKClientConfig read from the system properties, TLS aside. */
    private static final String[] FROM_SYSTEM_PROPERTIES = {
        "jute.maxbuffer", "zookeeper.kinit", "sun.security.jgss.native",
        ZK_SASL_CLIENT_USERNAME, ZK_SASL_CLIENT_CANONICALIZE_HOSTNAME, LOGIN_CONTEXT_NAME_KEY,
        ENABLE_CLIENT_SASL_KEY, ZOOKEEPER_SERVER_REALM, DISABLE_AUTO_WATCH_RESET,
    };

    @Override
    protected void handleBackwardCompatibility() {
        // runs inside the super constructor: no instance fields of this class may be used here
        for (String key : FROM_SYSTEM_PROPERTIES) {
            setProperty(key, System.getProperty(key));
        }
        if (Boolean.getBoolean(SECURE_CLIENT)) {
            LOG.warn("Ignoring {}=true: Samsa connects to ZooKeeper over plain NIO sockets", SECURE_CLIENT);
        }
        setProperty(SECURE_CLIENT, "false");
        setProperty(ZOOKEEPER_CLIENT_CNXN_SOCKET, NIO_SOCKET);
    }
}
