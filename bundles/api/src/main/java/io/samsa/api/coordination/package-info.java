/**
 * The coordination SPI: cluster metadata with versioned compare-and-set, broker registration,
 * controller election and watches.
 * <p>
 * Nothing here is ZooKeeper-specific. Paths are slash-separated keys in a tree
 * ({@code /brokers/topics/orders}); a value has a version that every successful write bumps,
 * and writes can be conditional on it. A ZooKeeper implementation maps paths to znodes; a Raft
 * implementation keeps the same tree in a replicated state machine.
 * <p>
 * 1.1: atomic multi-operation transactions ({@link io.samsa.api.coordination.Coordinator#transact}), the
 * controller's fence, recursive watches, broker session events and lease, every advertised endpoint in a
 * broker registration.
 */
@Export
@Version("1.1.0")
package io.samsa.api.coordination;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
