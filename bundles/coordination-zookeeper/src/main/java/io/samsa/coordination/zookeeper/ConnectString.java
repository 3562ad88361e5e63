package io.samsa.coordination.zookeeper;

/**
 * A ZooKeeper connect string split into its host list and optional chroot, as in
 * {@code zk1:2181,zk2:2181/samsa}.
 *
 * @param hosts  the comma-separated host:port list
 * @param chroot the chroot path ("/samsa"), or "" when the tree lives at the ensemble's root
 */
record ConnectString(String hosts, String chroot) {

    static ConnectString parse(String connect) {
        String trimmed = connect.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("zookeeper.connect is empty");
        }
        int slash = trimmed.indexOf('/');
        if (slash < 0) {
            return new ConnectString(trimmed, "");
        }
        String chroot = trimmed.substring(slash);
        while (chroot.length() > 1 && chroot.endsWith("/")) {
            chroot = chroot.substring(0, chroot.length() - 1);
        }
        return new ConnectString(trimmed.substring(0, slash), "/".equals(chroot) ? "" : chroot);
    }

    /** The string the ZooKeeper client is given: hosts plus chroot. */
    String full() {
        return hosts + chroot;
    }

    @Override
    public String toString() {
        return full();
    }
}
