package io.samsa.coordination.zookeeper;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.TransactResult;
import io.samsa.api.coordination.TransactResult.Failure;

/**
 * {@link Coordinator#transact} as one ZooKeeper multi. A multi's create does not make missing
 * parents, so the parents a {@link Op.Create} lacks are created, empty and persistent, at the
 * front of the same multi; when another writer creates or deletes one of them meanwhile, the
 * multi fails on it and is built and sent again.
 */
final class ZNodeTransaction {
    private static final int MAX_ATTEMPTS = 10;

    private ZNodeTransaction() {
    }

    static TransactResult run(CuratorSession session, List<Op> ops) {
        if (ops == null || ops.isEmpty()) {
            throw new IllegalArgumentException("transact needs at least one op");
        }
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) == null) {
                throw new IllegalArgumentException("transact op " + i + " is null");
            }
        }
        List<Op> copy = List.copyOf(ops);
        return session.call("run a transaction of " + describe(copy), client -> {
            for (int attempt = 1; ; attempt++) {
                TransactResult result = attempt(client, copy);
                if (result != null) {
                    return result;
                }
                if (attempt == MAX_ATTEMPTS) {
                    throw new CoordinationException("The parents of the nodes created by " + describe(copy)
                            + " kept changing during " + MAX_ATTEMPTS + " attempts; try again");
                }
            }
        });
    }

    /** One multi; null when it failed on a parent it added itself, i.e. the tree changed meanwhile. */
    private static TransactResult attempt(CuratorFramework client, List<Op> ops) throws Exception {
        List<CuratorOp> multi = new ArrayList<>();
        List<Integer> callerIndex = new ArrayList<>(); // -1 - i: a parent added here for op i
        Set<String> madeHere = new HashSet<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op instanceof Op.Create create) {
                for (String parent : missingParents(client, create.path(), madeHere)) {
                    multi.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(parent, new byte[0]));
                    callerIndex.add(-1 - i);
                }
                madeHere.add(create.path());
            }
            multi.add(toCurator(client, op));
            callerIndex.add(i);
        }
        List<CuratorTransactionResult> results;
        try {
            results = client.transaction().forOperations(multi);
        } catch (KeeperException e) {
            return failure(e, e.getResults(), callerIndex, ops);
        }
        List<Integer> versions = new ArrayList<>(ops.size());
        for (int k = 0; k < results.size(); k++) {
            int i = callerIndex.get(k);
            if (i < 0) {
                continue;
            }
            Op op = ops.get(i);
            if (op instanceof Op.Check check) {
                versions.add(check.version());
            } else if (op instanceof Op.Set) {
                versions.add(results.get(k).getResultStat().getVersion());
            } else if (op instanceof Op.Create) {
                versions.add(0);
            } else {
                versions.add(-1);
            }
        }
        return TransactResult.committed(versions);
    }

    private static CuratorOp toCurator(CuratorFramework client, Op op) throws Exception {
        if (op instanceof Op.Check check) {
            return client.transactionOp().check().withVersion(check.version()).forPath(check.path());
        }
        if (op instanceof Op.Set set) {
            return client.transactionOp().setData().withVersion(zkVersion(set.expectedVersion()))
                    .forPath(set.path(), set.value());
        }
        if (op instanceof Op.Create create) {
            return client.transactionOp().create()
                    .withMode(create.ephemeral() ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT)
                    .forPath(create.path(), create.value());
        }
        Op.Delete delete = (Op.Delete) op;
        return client.transactionOp().delete().withVersion(zkVersion(delete.expectedVersion())).forPath(delete.path());
    }

    private static int zkVersion(int version) {
        return version == Coordinator.ANY_VERSION ? -1 : version;
    }

    /** The ancestors of {@code path} that neither exist nor are created earlier in this multi, top first. */
    private static List<String> missingParents(CuratorFramework client, String path, Set<String> madeHere)
            throws Exception {
        List<String> missing = new ArrayList<>();
        for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
            String parent = path.substring(0, slash);
            if (madeHere.contains(parent) || client.checkExists().forPath(parent) != null) {
                break;
            }
            missing.add(0, parent);
            madeHere.add(parent);
        }
        return missing;
    }

    private static TransactResult failure(KeeperException e, List<OpResult> results, List<Integer> callerIndex,
            List<Op> ops) throws KeeperException {
        int failedAt = -1;
        KeeperException.Code code = e.code();
        if (results != null) {
            for (int k = 0; k < results.size(); k++) {
                if (results.get(k) instanceof OpResult.ErrorResult error
                        && error.getErr() != KeeperException.Code.OK.intValue()
                        && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    failedAt = k;
                    code = KeeperException.Code.get(error.getErr());
                    break;
                }
            }
        }
        Failure failure = switch (code) {
            case BADVERSION -> Failure.BAD_VERSION;
            case NONODE -> Failure.NO_NODE;
            case NODEEXISTS -> Failure.NODE_EXISTS;
            case NOTEMPTY -> Failure.NOT_EMPTY;
            case NOCHILDRENFOREPHEMERALS -> Failure.EPHEMERAL_PARENT;
            default -> null;
        };
        if (failure == null || failedAt < 0) {
            throw e; // not a condition of an op: connection loss, auth, ...
        }
        int op = callerIndex.get(failedAt);
        if (op < 0) {
            if (failure == Failure.EPHEMERAL_PARENT) {
                return TransactResult.failed(-1 - op, failure); // the op's path lies below an ephemeral node
            }
            return null; // a parent we added appeared or lost its own parent: build the multi again
        }
        if (failure == Failure.NO_NODE && ops.get(op) instanceof Op.Create && !parentDeletedBefore(ops, op)) {
            return null; // its parent, which existed when we looked, was deleted meanwhile
        }
        return TransactResult.failed(op, failure);
    }

    private static boolean parentDeletedBefore(List<Op> ops, int index) {
        String path = ops.get(index).path();
        for (int i = 0; i < index; i++) {
            if (ops.get(i) instanceof Op.Delete && path.startsWith(ops.get(i).path() + "/")) {
                return true;
            }
        }
        return false;
    }

    static String describe(List<Op> ops) {
        StringBuilder text = new StringBuilder("[");
        for (Op op : ops) {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(op.getClass().getSimpleName()).append(' ').append(op.path());
            if (text.length() > 200) {
                text.append(", ... (").append(ops.size()).append(" ops)");
                break;
            }
        }
        return text.append(']').toString();
    }
}
