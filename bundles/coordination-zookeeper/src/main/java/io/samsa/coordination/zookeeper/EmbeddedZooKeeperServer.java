package io.samsa.coordination.zookeeper;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;

/**
 * A standalone ZooKeeper server inside this process, listening on the loopback interface only,
 * for single-node deployments and tests. It persists its snapshots and transaction logs, so the
 * cluster metadata survives restarts.
 */
public final class EmbeddedZooKeeperServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeperServer.class);
    private static final int TICK_TIME_MS = 2000;
    private static final int MAX_CLIENT_CONNECTIONS = 1000;

    private final ZooKeeperServer server;
    private final ServerCnxnFactory connections;
    private final Path dataDir;

    private EmbeddedZooKeeperServer(ZooKeeperServer server, ServerCnxnFactory connections, Path dataDir) {
        this.server = server;
        this.connections = connections;
        this.dataDir = dataDir;
    }

    /**
     * Starts a server on 127.0.0.1:{@code port} (0 picks a free port) keeping its data in {@code dataDir}.
     *
     * @param maxSessionTimeoutMs the largest session timeout clients may negotiate
     */
    public static EmbeddedZooKeeperServer start(int port, Path dataDir, int maxSessionTimeoutMs) {
        disableUnusedServerFeatures();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        ZooKeeperServer server = null;
        ServerCnxnFactory connections = null;
        try {
            Files.createDirectories(dataDir);
            File dir = dataDir.toFile();
            server = new ZooKeeperServer(dir, dir, TICK_TIME_MS);
            server.setMaxSessionTimeout(Math.max(20 * TICK_TIME_MS, maxSessionTimeoutMs));
            connections = new NIOServerCnxnFactory();
            connections.configure(address, MAX_CLIENT_CONNECTIONS);
            connections.startup(server);
        } catch (IOException e) {
            stopQuietly(server, connections);
            throw new CoordinationException("Cannot start the embedded ZooKeeper server on " + describe(address)
                    + " with data in " + dataDir.toAbsolutePath() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly(server, connections);
            throw new CoordinationException("Interrupted while starting the embedded ZooKeeper server on "
                    + describe(address), e);
        } catch (RuntimeException e) {
            stopQuietly(server, connections);
            throw new CoordinationException("Cannot start the embedded ZooKeeper server on " + describe(address)
                    + ": " + e, e);
        } catch (LinkageError e) {
            stopQuietly(server, connections);
            throw new CoordinationException("Cannot start the embedded ZooKeeper server: a class it needs is"
                    + " missing (" + e.getMessage() + "); the server needs slf4j and snappy-java"
                    + " (org.xerial.snappy) installed", e);
        }
        EmbeddedZooKeeperServer embedded = new EmbeddedZooKeeperServer(server, connections, dataDir);
        LOG.info("Embedded ZooKeeper server listening on {} with data in {}", embedded.connectString(),
                dataDir.toAbsolutePath());
        return embedded;
    }

    /**
     * The admin server would start Jetty (absent here and an extra open port), and four-letter
     * words beyond the read-only status ones are not needed. Both are read from system properties
     * by ZooKeeper; an operator's explicit setting wins.
     */
    private static void disableUnusedServerFeatures() {
        System.setProperty("zookeeper.admin.enableServer", "false");
        if (System.getProperty("zookeeper.4lw.commands.whitelist") == null) {
            System.setProperty("zookeeper.4lw.commands.whitelist", "ruok,srvr,stat,mntr");
        }
    }

    private static String describe(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** The port the server accepts clients on (the chosen one when started with port 0). */
    public int port() {
        return connections.getLocalPort();
    }

    /** "127.0.0.1:port", ready for a ZooKeeper client. */
    public String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops accepting connections, closes every session's connection and releases the port. */
    @Override
    public void close() {
        int port = port();
        stopQuietly(server, connections);
        LOG.info("Embedded ZooKeeper server on port {} stopped", port);
    }

    private static void stopQuietly(ZooKeeperServer server, ServerCnxnFactory connections) {
        if (connections != null) {
            try {
                connections.shutdown();
            } catch (RuntimeException e) {
                LOG.warn("Closing the embedded ZooKeeper server's connections failed", e);
            }
        }
        if (server != null) {
            try {
                server.shutdown();
            } catch (RuntimeException e) {
                LOG.warn("Shutting down the embedded ZooKeeper server failed", e);
            }
        }
    }
}
