package io.samsa.coordination.raft;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;

/**
 * One voter of the metadata quorum: a Ratis server holding the {@link MetadataStateMachine}, the
 * events of the entries it applies fanned out (in order, on one thread) to the sessions opened
 * on it, and, while it leads, the expiry of sessions whose heartbeats stopped.
 */
final class RaftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    /** Every Samsa metadata quorum is one Raft group with this id; the voters say which cluster. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("samsa-metadata".getBytes(UTF_8)));
    private static final long REAPER_PERIOD_MS = 100;
    /**
     * Ratis 3.1's gRPC has no switch for epoll, so its shaded Netty is kept on NIO by Netty's own
     * property, under its shaded name (it touches no other Netty): a native library loaded by one
     * bundle class loader cannot be loaded again by the next one after an update of the bundle.
     */
    static final String SHADED_NETTY_NO_NATIVE = "org.apache.ratis.thirdparty.io.netty.transport.noNative";

    static {
        if (System.getProperty(SHADED_NETTY_NO_NATIVE) == null) {
            System.setProperty(SHADED_NETTY_NO_NATIVE, "true");
        }
        // Ratis calls System.exit when its gRPC server cannot bind, and its first use installs a JVM-wide
        // uncaught-exception handler that exits too. In a broker's container that would end every other
        // bundle with it: its exits become exceptions here, and whatever handler was installed is put back.
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        ExitUtils.disableSystemExit();
        ExitUtils.setTerminateOnUncaughtException(false);
        Thread.setDefaultUncaughtExceptionHandler(previous);
    }

    /** What a node needs to know. */
    record Settings(int nodeId, QuorumVoters voters, Path dataDir, int electionTimeoutMs, int requestTimeoutMs,
            long snapshotThreshold) {
        Settings {
            voters.voter(nodeId);
            if (electionTimeoutMs <= 0 || requestTimeoutMs <= 0 || snapshotThreshold <= 0) {
                throw new IllegalArgumentException("Election and request timeouts and the snapshot threshold must be"
                        + " positive: " + electionTimeoutMs + ", " + requestTimeoutMs + ", " + snapshotThreshold);
            }
        }
    }

    /** What a session opened on this node is told of the entries the node applies. */
    interface Listener extends MetadataTree.Events {
        /** The state was replaced by a snapshot: everything may have changed. */
        void reloaded();
    }

    private final Settings settings;
    private final RaftGroup group;
    private final RaftPeerId peerId;
    private final MetadataStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient internalClient;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> daemon(r, "samsa-raft-events"));
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "samsa-raft-session-expiry"));
    private volatile Thread eventsThread;
    private volatile boolean closed;

    private Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name + "-" + settingsNodeId());
        t.setDaemon(true);
        if (name.endsWith("events")) {
            eventsThread = t;
        }
        return t;
    }

    private int settingsNodeId() {
        return settings == null ? -1 : settings.nodeId();
    }

    RaftNode(Settings settings) {
        this.settings = settings;
        List<RaftPeer> peers = settings.voters().voters().stream().map(v -> RaftPeer.newBuilder()
                .setId(Integer.toString(v.id())).setAddress(v.address()).build()).toList();
        group = RaftGroup.valueOf(GROUP_ID, peers);
        peerId = RaftPeerId.valueOf(Integer.toString(settings.nodeId()));
        stateMachine = new MetadataStateMachine(new Fanout(), () -> events.execute(
                () -> listeners.forEach(Listener::reloaded)));
        QuorumVoters.Voter me = settings.voters().voter(settings.nodeId());
        RaftProperties properties = properties(settings);
        GrpcConfigKeys.Server.setHost(properties, me.host());
        GrpcConfigKeys.Server.setPort(properties, me.port());
        try {
            Files.createDirectories(settings.dataDir());
            boolean formatted = Files.isDirectory(settings.dataDir().resolve(GROUP_ID.getUuid().toString()));
            server = withOwnClassLoader(() -> {
                RaftServer s = null;
                try {
                    s = RaftServer.newBuilder().setServerId(peerId).setGroup(group)
                            .setStateMachine(stateMachine).setProperties(properties)
                            .setOption(formatted ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                            .build();
                    s.start();
                    return s;
                } catch (IOException | RuntimeException e) {
                    closeQuietly(s);
                    events.shutdownNow();
                    reaper.shutdownNow();
                    Throwable cause = e instanceof ExitUtils.ExitException && e.getCause() != null ? e.getCause() : e;
                    throw new CoordinationException("Raft node " + settings.nodeId() + " could not start on "
                            + me.address() + " with its log in " + settings.dataDir() + ": " + cause
                            + " (is another process listening on that port?)", cause);
                }
            });
        } catch (IOException e) {
            throw new CoordinationException("Cannot create the Raft data directory " + settings.dataDir(), e);
        }
        internalClient = newClient();
        reaper.scheduleWithFixedDelay(this::expireSilentSessions, REAPER_PERIOD_MS, REAPER_PERIOD_MS,
                TimeUnit.MILLISECONDS);
        LOG.info("Raft metadata node {} started at {}, voters {}, log in {}", settings.nodeId(), me.address(),
                settings.voters(), settings.dataDir());
    }

    private static RaftProperties properties(Settings settings) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(settings.dataDir().toFile()));
        // Reads are linearizable (ReadIndex on the leader): the coordinator's contract is ZooKeeper's sync+read.
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        TimeDuration min = TimeDuration.valueOf(settings.electionTimeoutMs(), TimeUnit.MILLISECONDS);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, min.multiply(2));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, settings.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        // an operator's (or a test's) snapshot request is honoured however few entries came since the last one
        RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        return p;
    }

    /**
     * Ratis finds its gRPC factory by name through the context class loader it sees first; in
     * OSGi that is whatever thread happens to start it, so it is set to Ratis' own loader here.
     */
    static <T> T withOwnClassLoader(Supplier<T> action) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(RaftServer.class.getClassLoader());
        try {
            return action.get();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** A client of the quorum, for one session. */
    RaftClient newClient() {
        RaftProperties p = new RaftProperties();
        return withOwnClassLoader(() -> RaftClient.newBuilder().setProperties(p).setRaftGroup(group)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
                .build());
    }

    int nodeId() {
        return settings.nodeId();
    }

    RaftPeerId peerId() {
        return peerId;
    }

    int requestTimeoutMs() {
        return settings.requestTimeoutMs();
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Runs {@code task} on the event thread, after every event queued so far. */
    void onEventThread(Runnable task) {
        if (!closed) {
            events.execute(task);
        }
    }

    boolean isEventThread() {
        return Thread.currentThread() == eventsThread;
    }

    /** Whether this node leads the quorum now. */
    boolean isLeader() {
        try {
            return server.getDivision(GROUP_ID).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes a snapshot of the state now (as the automatic trigger would), returning its log index. */
    long takeSnapshot() {
        try {
            RaftClientReply reply = internalClient.getSnapshotManagementApi(peerId).create(1, settings.requestTimeoutMs());
            if (!reply.isSuccess()) {
                throw new CoordinationException("Snapshot on node " + nodeId() + " failed: " + reply.getException());
            }
            return latestSnapshotIndex();
        } catch (IOException e) {
            throw new CoordinationException("Snapshot on node " + nodeId() + " failed: " + e.getMessage(), e);
        }
    }

    /** The value at {@code path} as this node has applied it so far (a stale read). */
    java.util.Optional<String> localValue(String path) {
        MetadataTree.Node n = stateMachine.localNode(path);
        return n == null ? java.util.Optional.empty() : java.util.Optional.of(new String(n.value(), UTF_8));
    }

    /** The log index of this node's latest snapshot, or -1. */
    long latestSnapshotIndex() {
        var snapshot = stateMachine.getLatestSnapshot();
        return snapshot == null ? -1 : snapshot.getIndex();
    }

    /** The state machine's last applied log index. */
    long appliedIndex() {
        return stateMachine.getLastAppliedTermIndex().getIndex();
    }

    private void expireSilentSessions() {
        if (closed || !isLeader()) {
            return;
        }
        try {
            for (long session : stateMachine.silentSessions(System.nanoTime())) {
                LOG.info("Raft node {} expires session {}: no heartbeat within its timeout", nodeId(), session);
                send(internalClient, Codec.encode(out -> {
                    out.writeByte(Codec.EXPIRE_SESSION);
                    out.writeLong(session);
                }), "expire session " + session);
            }
        } catch (RuntimeException e) {
            LOG.debug("Session expiry check on node {} failed; the next one retries", nodeId(), e);
        }
    }

    /** Writes {@code command} through the log with {@code client}; the answer of applying it. */
    byte[] send(RaftClient client, byte[] command, String what) {
        return answer(client.async().send(message(command)), what);
    }

    /** Answers {@code query} from the state, linearizably. */
    byte[] query(RaftClient client, byte[] query, String what) {
        return answer(client.async().sendReadOnly(message(query)), what);
    }

    private static Message message(byte[] bytes) {
        return Message.valueOf(ByteString.copyFrom(bytes));
    }

    private byte[] answer(java.util.concurrent.CompletableFuture<RaftClientReply> future, String what) {
        RaftClientReply reply;
        try {
            reply = future.get(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new CoordinationException("The Raft quorum did not answer " + what + " within "
                    + settings.requestTimeoutMs() + " ms (controller.quorum.request.timeout.ms)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException("Interrupted waiting for the Raft quorum to " + what, e);
        } catch (ExecutionException e) {
            throw new CoordinationException("The Raft quorum failed to " + what + ": " + e.getCause(), e.getCause());
        }
        if (!reply.isSuccess()) {
            throw new CoordinationException("The Raft quorum failed to " + what + ": " + reply.getException(),
                    reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }

    /** Hands applied events to the sessions on this node, in order, on the event thread. */
    private final class Fanout implements MetadataTree.Events {
        @Override
        public void changed(String path, boolean membership) {
            onEventThread(() -> listeners.forEach(l -> l.changed(path, membership)));
        }

        @Override
        public void elected(long candidate, long session, int epoch, int fenceVersion) {
            onEventThread(() -> listeners.forEach(l -> l.elected(candidate, session, epoch, fenceVersion)));
        }

        @Override
        public void resigned(long candidate, long session) {
            onEventThread(() -> listeners.forEach(l -> l.resigned(candidate, session)));
        }

        @Override
        public void sessionEnded(long session, boolean expired) {
            onEventThread(() -> listeners.forEach(l -> l.sessionEnded(session, expired)));
        }
    }

    private static void closeQuietly(RaftServer s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing a Raft server that failed to start", e);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reaper.shutdownNow();
        try {
            internalClient.close();
        } catch (IOException e) {
            LOG.debug("Closing the internal Raft client", e);
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Closing Raft node {}", nodeId(), e);
        }
        events.shutdown();
        if (!isEventThread()) {
            try {
                events.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("Raft metadata node {} stopped", nodeId());
    }
}
