package io.samsa.coordination.raft;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata tree as a Ratis state machine: log entries are {@link Codec} commands, applied
 * one at a time; queries read the tree under the same lock. Snapshots are the whole tree in one
 * file, written aside and moved into place, so a node that restarts (or is sent the leader's
 * snapshot) loads it and replays only the log after it.
 */
final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    /** What takeSnapshot answers when nothing has been applied yet. */
    private static final long NO_SNAPSHOT = -1;

    private final MetadataTree tree = new MetadataTree();
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final MetadataTree.Events events;
    private final Runnable reloaded;
    /**
     * When this node last applied a heartbeat of each session, on its own clock: not replicated
     * state, only what the leader's expiry check reads.
     */
    private final Map<Long, Long> lastHeardNanos = new ConcurrentHashMap<>();
    private volatile long leaderChangedNanos = System.nanoTime();

    /**
     * @param events   told of every change, in apply order, under the apply lock: must not block
     * @param reloaded told when the state was replaced by a snapshot, so watches re-read
     */
    MetadataStateMachine(MetadataTree.Events events, Runnable reloaded) {
        this.events = events;
        this.reloaded = reloaded;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.loadLatestSnapshot());
    }

    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        reloaded.run();
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        synchronized (tree) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                tree.readFrom(in);
            }
            setLastAppliedTermIndex(snapshot.getTermIndex());
        }
        LOG.info("Loaded metadata snapshot {} at {}", file, snapshot.getTermIndex());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last;
        File target;
        File temporary;
        synchronized (tree) {
            last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return NO_SNAPSHOT;
            }
            target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
            temporary = new File(target.getParentFile(), target.getName() + ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(temporary.toPath())))) {
                tree.writeTo(out);
            }
        }
        Files.move(temporary.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
        LOG.info("Took metadata snapshot {} at {}", target, last);
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] command = entry.getStateMachineLogEntry().getLogData().toByteArray();
        byte[] answer;
        synchronized (tree) {
            try {
                answer = Codec.apply(tree, command, events);
            } catch (RuntimeException e) {
                // A command every node rejects alike changes nothing; say so to the writer, keep applying.
                LOG.error("Could not apply coordination command at {}", TermIndex.valueOf(entry), e);
                updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
                return CompletableFuture.failedFuture(e);
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        if (command.length > 0 && (command[0] == Codec.HEARTBEAT || command[0] == Codec.OPEN_SESSION)) {
            long session = command[0] == Codec.OPEN_SESSION ? Codec.decode(answer, java.io.DataInput::readLong)
                    : Codec.decode(command, in -> {
                        in.readByte();
                        return in.readLong();
                    });
            lastHeardNanos.put(session, System.nanoTime());
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer)));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            byte[] answer;
            synchronized (tree) {
                answer = Codec.query(tree, request.getContent().toByteArray());
            }
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        leaderChangedNanos = System.nanoTime();
    }

    /**
     * The sessions whose last heartbeat this node applied more than their timeout ago, counting
     * no earlier than the last leader change: a new leader gives every session a full timeout.
     */
    List<Long> silentSessions(long nowNanos) {
        List<Long> silent = new ArrayList<>();
        synchronized (tree) {
            for (Map.Entry<Long, Integer> s : tree.sessions().entrySet()) {
                long heard = Math.max(lastHeardNanos.getOrDefault(s.getKey(), leaderChangedNanos), leaderChangedNanos);
                if (nowNanos - heard > s.getValue() * 1_000_000L) {
                    silent.add(s.getKey());
                }
            }
        }
        lastHeardNanos.keySet().removeIf(id -> !isLive(id));
        return silent;
    }

    /** The node at {@code path} as this server has applied it: not linearizable, for diagnostics and tests. */
    MetadataTree.Node localNode(String path) {
        synchronized (tree) {
            return tree.node(path);
        }
    }

    boolean isLive(long session) {
        synchronized (tree) {
            return tree.isLive(session);
        }
    }
}
