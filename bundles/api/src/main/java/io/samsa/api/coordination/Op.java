package io.samsa.api.coordination;

import java.util.Objects;

/**
 * One operation of an atomic {@link Coordinator#transact transaction}. Every operation names the
 * path it works on; the constructors refuse malformed paths and versions, so a bad operation fails
 * where it is built, not halfway through a transaction.
 */
public sealed interface Op permits Op.Check, Op.Set, Op.Create, Op.Delete {

    /** The path this operation works on. */
    String path();

    /** Holds only if {@code path} exists at exactly {@code version}; writes nothing. */
    record Check(String path, int version) implements Op {
        public Check {
            requirePath("Check", path);
            if (version < 0) {
                throw new IllegalArgumentException("Check of " + path + " needs a version >= 0, not " + version);
            }
        }
    }

    /**
     * Replaces the value of an existing {@code path} if it is at {@code expectedVersion}
     * ({@link Coordinator#ANY_VERSION}: whatever version it is at). A missing path fails the
     * transaction; use {@link Create} to make one.
     */
    record Set(String path, byte[] value, int expectedVersion) implements Op {
        public Set {
            requirePath("Set", path);
            Objects.requireNonNull(value, () -> "Set of " + path + " needs a value (an empty array for none)");
            requireVersion("Set", path, expectedVersion);
        }
    }

    /**
     * Creates {@code path}, which must not exist yet, with its missing parents (empty and
     * persistent). An ephemeral node lives as long as the session of the coordinator that created
     * it, is not recreated in a new session, and cannot have children.
     */
    record Create(String path, byte[] value, boolean ephemeral) implements Op {
        public Create {
            requirePath("Create", path);
            Objects.requireNonNull(value, () -> "Create of " + path + " needs a value (an empty array for none)");
        }
    }

    /**
     * Deletes {@code path} if it is at {@code expectedVersion} (or {@link Coordinator#ANY_VERSION})
     * and has no children: unlike {@link Coordinator#delete}, a transaction deletes one node only.
     */
    record Delete(String path, int expectedVersion) implements Op {
        public Delete {
            requirePath("Delete", path);
            requireVersion("Delete", path, expectedVersion);
        }
    }

    private static void requirePath(String op, String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException(op + " needs an absolute path starting with '/', not " + path);
        }
        if (path.length() == 1) {
            throw new IllegalArgumentException(op + " cannot work on the root node /");
        }
        if (path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException(op + " of " + path + ": a path has no empty segments or trailing '/'");
        }
    }

    private static void requireVersion(String op, String path, int version) {
        if (version < 0 && version != Coordinator.ANY_VERSION) {
            throw new IllegalArgumentException(op + " of " + path + " needs a version >= 0 or ANY_VERSION ("
                    + Coordinator.ANY_VERSION + "), not " + version);
        }
    }
}
