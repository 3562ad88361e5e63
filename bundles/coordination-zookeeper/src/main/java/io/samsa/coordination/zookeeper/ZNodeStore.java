package io.samsa.coordination.zookeeper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;

/** The versioned tree operations of {@link Coordinator} mapped onto znodes. */
final class ZNodeStore {
    private static final byte[] EMPTY = new byte[0];
    /** Deletes of one subtree go in one atomic multi up to this many nodes (jute.maxbuffer is 1 MB). */
    private static final int MAX_ATOMIC_DELETE = 1000;

    private final ZooKeeperSession session;

    ZNodeStore(ZooKeeperSession session) {
        this.session = session;
    }

    Optional<Versioned> read(String path) {
        return session.call("read " + path, zk -> {
            Stat stat = new Stat();
            try {
                byte[] data = zk.getData(path, false, stat);
                return Optional.of(new Versioned(data == null ? EMPTY : data, stat.getVersion()));
            } catch (KeeperException.NoNodeException e) {
                return Optional.empty();
            }
        });
    }

    List<String> children(String path) {
        return session.call("list the children of " + path, zk -> {
            try {
                List<String> names = new ArrayList<>(zk.getChildren(path, false));
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
            return session.call("create " + path, zk -> create(zk, path, value, CreateMode.PERSISTENT) ? 0 : -1);
        }
        return session.call("write " + path, zk -> {
            try {
                return zk.setData(path, value, expectedVersion).getVersion();
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
    static boolean create(ZooKeeper zk, String path, byte[] value, CreateMode mode)
            throws KeeperException, InterruptedException {
        while (true) {
            try {
                zk.create(path, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, mode);
                return true;
            } catch (KeeperException.NodeExistsException e) {
                return false;
            } catch (KeeperException.NoNodeException e) {
                createParents(zk, path); // then retry: a concurrent delete may have removed a parent again
            }
        }
    }

    /** Creates the missing ancestors of {@code path} (not {@code path} itself). */
    static void createParents(ZooKeeper zk, String path) throws KeeperException, InterruptedException {
        int slash = path.indexOf('/', 1);
        while (slash > 0) {
            try {
                zk.create(path.substring(0, slash), EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                // already there
            }
            slash = path.indexOf('/', slash + 1);
        }
    }

    boolean delete(String path, int expectedVersion) {
        if ("/".equals(path)) {
            throw new IllegalArgumentException("The root node cannot be deleted");
        }
        int version = expectedVersion == Coordinator.ANY_VERSION ? -1 : expectedVersion;
        return session.call("delete " + path, zk -> {
            while (true) {
                Stat stat = zk.exists(path, false);
                if (stat == null || (version != -1 && stat.getVersion() != version)) {
                    return false;
                }
                if (stat.getNumChildren() == 0) {
                    try {
                        zk.delete(path, version);
                        return true;
                    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                        return false;
                    } catch (KeeperException.NotEmptyException e) {
                        continue; // a child appeared meanwhile
                    }
                }
                Boolean done = deleteSubtree(zk, path, version);
                if (done != null) {
                    return done;
                }
            }
        });
    }

    /**
     * Deletes {@code path} with its descendants, deepest first, atomically unless the subtree is
     * too large for one request.
     *
     * @return true/false for deleted/condition failed, null when the subtree changed meanwhile
     */
    private static Boolean deleteSubtree(ZooKeeper zk, String path, int version)
            throws KeeperException, InterruptedException {
        List<String> descendants = new ArrayList<>();
        try {
            collectDescendants(zk, path, descendants);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        if (descendants.size() >= MAX_ATOMIC_DELETE) {
            // Too large for one multi: the version was checked just before; delete bottom-up in batches.
            for (int from = 0; from < descendants.size(); from += MAX_ATOMIC_DELETE) {
                List<Op> batch = new ArrayList<>();
                for (String p : descendants.subList(from, Math.min(descendants.size(), from + MAX_ATOMIC_DELETE))) {
                    batch.add(Op.delete(p, -1));
                }
                try {
                    zk.multi(batch);
                } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
                    return null;
                }
            }
            descendants.clear();
        }
        List<Op> ops = new ArrayList<>(descendants.size() + 1);
        for (String p : descendants) {
            ops.add(Op.delete(p, -1));
        }
        ops.add(Op.delete(path, version));
        try {
            zk.multi(ops);
            return true;
        } catch (KeeperException.BadVersionException e) {
            return false;
        } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
            return null;
        }
    }

    /** Adds every node below {@code path} to {@code out}, children after their own descendants. */
    private static void collectDescendants(ZooKeeper zk, String path, List<String> out)
            throws KeeperException, InterruptedException {
        String prefix = "/".equals(path) ? "/" : path + "/";
        for (String child : zk.getChildren(path, false)) {
            String childPath = prefix + child;
            collectDescendants(zk, childPath, out);
            out.add(childPath);
        }
    }
}
