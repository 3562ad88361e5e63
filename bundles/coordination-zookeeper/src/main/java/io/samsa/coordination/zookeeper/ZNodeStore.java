package io.samsa.coordination.zookeeper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;

/** The versioned tree operations of {@link Coordinator} mapped onto znodes. */
final class ZNodeStore {
    private static final byte[] EMPTY = new byte[0];
    /** Deletes of one subtree go in one atomic multi up to this many nodes (jute.maxbuffer is 1 MB). */
    private static final int MAX_ATOMIC_DELETE = 1000;

    private final CuratorSession session;

    ZNodeStore(CuratorSession session) {
        this.session = session;
    }

    Optional<Versioned> read(String path) {
        return session.call("read " + path, client -> {
            Stat stat = new Stat();
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(path);
                return Optional.of(new Versioned(data == null ? EMPTY : data, stat.getVersion()));
            } catch (KeeperException.NoNodeException e) {
                return Optional.empty();
            }
        });
    }

    List<String> children(String path) {
        return session.call("list the children of " + path, client -> {
            try {
                List<String> names = new ArrayList<>(client.getChildren().forPath(path));
                Collections.sort(names);
                return names;
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
        });
    }

    int compareAndSet(String path, byte[] value, int expectedVersion) {
        if (expectedVersion < Coordinator.ABSENT) {
            throw new IllegalArgumentException("expectedVersion must be a version or ABSENT (-1), not "
                    + expectedVersion);
        }
        if (expectedVersion == Coordinator.ABSENT) {
            return session.call("create " + path, client -> create(client, path, value, CreateMode.PERSISTENT) ? 0 : -1);
        }
        return session.call("write " + path, client -> {
            try {
                // not idempotent(): that would report another writer's identical write as ours
                return client.setData().withVersion(expectedVersion).forPath(path, value).getVersion();
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                return -1;
            }
        });
    }

    /**
     * Creates {@code path} and whatever parents it lacks (empty, persistent).
     *
     * @return false when {@code path} already exists
     */
    static boolean create(CuratorFramework client, String path, byte[] value, CreateMode mode) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().withMode(mode).forPath(path, value);
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        }
    }

    boolean delete(String path, int expectedVersion) {
        if ("/".equals(path)) {
            throw new IllegalArgumentException("The root node cannot be deleted");
        }
        int version = expectedVersion == Coordinator.ANY_VERSION ? -1 : expectedVersion;
        return session.call("delete " + path, client -> {
            while (true) {
                Stat stat = client.checkExists().forPath(path);
                if (stat == null || (version != -1 && stat.getVersion() != version)) {
                    return false;
                }
                if (stat.getNumChildren() == 0) {
                    try {
                        client.delete().withVersion(version).forPath(path);
                        return true;
                    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                        return false;
                    } catch (KeeperException.NotEmptyException e) {
                        continue; // a child appeared meanwhile
                    }
                }
                Boolean done = deleteSubtree(client, path, version);
                if (done != null) {
                    return done;
                }
            }
        });
    }

    /**
     * Deletes {@code path} with its descendants, deepest first, atomically unless the subtree is
     * too large for one request. (Curator's deletingChildrenIfNeeded deletes the children before
     * it checks the version of the node itself, so it cannot be used for a conditional delete.)
     *
     * @return true/false for deleted/condition failed, null when the subtree changed meanwhile
     */
    private static Boolean deleteSubtree(CuratorFramework client, String path, int version) throws Exception {
        List<String> descendants = new ArrayList<>();
        try {
            collectDescendants(client, path, descendants);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        if (descendants.size() >= MAX_ATOMIC_DELETE) {
            // Too large for one multi: the version was checked just before; delete bottom-up in batches.
            for (int from = 0; from < descendants.size(); from += MAX_ATOMIC_DELETE) {
                List<CuratorOp> batch = new ArrayList<>();
                for (String p : descendants.subList(from, Math.min(descendants.size(), from + MAX_ATOMIC_DELETE))) {
                    batch.add(client.transactionOp().delete().forPath(p));
                }
                try {
                    client.transaction().forOperations(batch);
                } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
                    return null;
                }
            }
            descendants.clear();
        }
        List<CuratorOp> ops = new ArrayList<>(descendants.size() + 1);
        for (String p : descendants) {
            ops.add(client.transactionOp().delete().forPath(p));
        }
        ops.add(client.transactionOp().delete().withVersion(version).forPath(path));
        try {
            client.transaction().forOperations(ops);
            return true;
        } catch (KeeperException.BadVersionException e) {
            return false;
        } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
            return null;
        }
    }

    /** Adds every node below {@code path} to {@code out}, children after their own descendants. */
    private static void collectDescendants(CuratorFramework client, String path, List<String> out) throws Exception {
        String prefix = "/".equals(path) ? "/" : path + "/";
        for (String child : client.getChildren().forPath(path)) {
            String childPath = prefix + child;
            collectDescendants(client, childPath, out);
            out.add(childPath);
        }
    }
}
