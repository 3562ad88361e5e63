package io.samsa.coordination.zookeeper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.SessionListener;

/**
 * Live brokers as ephemeral znodes under /brokers/ids, as Kafka 2.x kept them. A broker's epoch
 * is its znode's creation zxid, which grows with every registration in the ensemble.
 * <p>
 * Not Curator's PersistentNode: on finding the node taken it overwrites it, whereas a broker id
 * held by another live session must be refused. The checked create below is Kafka's.
 */
final class BrokerRegistry implements CuratorSession.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRegistry.class);
    static final String IDS = "/brokers/ids";
    private static final long REREGISTER_RETRY_MS = 1000;

    private final CuratorSession session;
    private final Executor events;
    private final Set<RegisteredBroker> registered = ConcurrentHashMap.newKeySet();

    /** Session listeners are called on {@code events}. */
    BrokerRegistry(CuratorSession session, Executor events) {
        this.session = session;
        this.events = events;
    }

    static String path(int brokerId) {
        return IDS + "/" + brokerId;
    }

    synchronized BrokerSession register(BrokerRegistration registration) {
        int id = registration.brokerId();
        if (id < 0) {
            throw new IllegalArgumentException("broker.id must not be negative: " + id);
        }
        for (RegisteredBroker other : registered) {
            if (other.registration.brokerId() == id) {
                throw new CoordinationException("Broker id " + id + " is already registered by this process");
            }
        }
        RegisteredBroker broker = new RegisteredBroker(registration);
        broker.created(createNode(registration));
        registered.add(broker);
        LOG.info("Registered broker {} at {}:{} (epoch {})", id, registration.host(), registration.port(),
                broker.epoch);
        return broker;
    }

    /** A broker's znode: its creation zxid (the broker epoch) and the session that owns it. */
    private record Node(long epoch, long ownerSession) {
    }

    /**
     * Creates the broker's ephemeral znode. The answer that shows the node is ours also starts
     * the lease of its session, from the moment the request went out.
     */
    private Node createNode(BrokerRegistration registration) {
        int id = registration.brokerId();
        String path = path(id);
        byte[] json = ZNodeJson.broker(registration, System.currentTimeMillis());
        return session.call("register broker " + id, client -> {
            long staleDeadline = 0;
            while (true) {
                Stat stat = new Stat();
                long sent = System.nanoTime();
                try {
                    client.create().storingStatIn(stat).creatingParentsIfNeeded()
                            .withMode(CreateMode.EPHEMERAL).forPath(path, json);
                    return owned(stat, sent);
                } catch (KeeperException.NodeExistsException e) {
                    // fall through: whose is it?
                }
                sent = System.nanoTime();
                Stat existing = client.checkExists().forPath(path);
                if (existing == null) {
                    continue; // its session just ended
                }
                long mySession = session.sessionId();
                if (existing.getEphemeralOwner() == mySession) {
                    return owned(existing, sent); // our own create, answered after a connection loss
                }
                // A broker killed without a clean shutdown leaves its ephemeral node behind until
                // ZooKeeper expires its session; a restart of that broker waits for that rather
                // than failing. A node still held after two session timeouts is a live broker.
                long now = System.currentTimeMillis();
                if (staleDeadline == 0) {
                    staleDeadline = now + 2L * client.getZookeeperClient().getZooKeeper().getSessionTimeout() + 2000;
                    LOG.warn("Broker id {} is registered by ZooKeeper session 0x{} (a previous run that did not shut"
                            + " down cleanly?); waiting up to {} ms for that session to expire", id,
                            Long.toHexString(existing.getEphemeralOwner()), staleDeadline - now);
                }
                if (now < staleDeadline) {
                    Thread.sleep(200);
                    continue;
                }
                throw new CoordinationException("Broker id " + id + " is already registered by another live"
                        + " ZooKeeper session (0x" + Long.toHexString(existing.getEphemeralOwner())
                        + "); is another broker running with broker.id=" + id + "?");
            }
        });
    }

    private Node owned(Stat stat, long sentNanos) {
        session.answered(stat.getEphemeralOwner(), sentNanos, session.negotiatedSessionTimeoutMs());
        return new Node(stat.getCzxid(), stat.getEphemeralOwner());
    }

    List<BrokerRegistration> liveBrokers() {
        return session.call("list the live brokers", client -> {
            List<String> ids;
            try {
                ids = client.getChildren().forPath(IDS);
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
            List<BrokerRegistration> brokers = new ArrayList<>(ids.size());
            for (String name : ids) {
                BrokerRegistration broker = readBroker(client, name);
                if (broker != null) {
                    brokers.add(broker);
                }
            }
            brokers.sort(Comparator.comparingInt(BrokerRegistration::brokerId));
            return brokers;
        });
    }

    private static BrokerRegistration readBroker(CuratorFramework client, String name) throws Exception {
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return null; // not a broker id; someone else's node
        }
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(path(id));
        } catch (KeeperException.NoNodeException e) {
            return null; // went away while listing
        }
        try {
            return ZNodeJson.parseBroker(id, data, stat.getCzxid());
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring unreadable broker registration {}: {}", path(id), e.getMessage());
            return null;
        }
    }

    @Override
    public void sessionSuspended() {
        registered.forEach(broker -> broker.tell(SessionListener::suspended));
    }

    @Override
    public void sessionExpired() {
        for (RegisteredBroker broker : registered) {
            LOG.warn("Broker {} lost its registration with its ZooKeeper session", broker.registration.brokerId());
            broker.tell(SessionListener::expired);
        }
    }

    @Override
    public void sessionRenewed() {
        registered.forEach(this::reregister);
    }

    private void reregister(RegisteredBroker broker) {
        if (!registered.contains(broker)) {
            return; // closed meanwhile
        }
        int id = broker.registration.brokerId();
        try {
            broker.created(createNode(broker.registration));
            long epoch = broker.epoch;
            broker.tell(l -> l.registered(epoch));
            LOG.info("Re-registered broker {} in the new ZooKeeper session (epoch {})", id, broker.epoch);
        } catch (CoordinationException e) {
            LOG.error("Cannot re-register broker {}, retrying in {} ms: {}", id, REREGISTER_RETRY_MS, e.getMessage());
            try {
                session.control().schedule(() -> reregister(broker), REREGISTER_RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // the coordinator is closing
            }
        }
    }

    /** Forgets every registration without deleting it: the session, and its ephemeral nodes, is closing. */
    void abandonAll() {
        registered.clear();
    }

    private final class RegisteredBroker implements BrokerSession {
        private final BrokerRegistration registration;
        private final CopyOnWriteArrayList<SessionListener> listeners = new CopyOnWriteArrayList<>();
        private volatile long epoch;
        private volatile long ownerSession;

        RegisteredBroker(BrokerRegistration registration) {
            this.registration = registration;
        }

        void created(Node node) {
            epoch = node.epoch();
            ownerSession = node.ownerSession();
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public long leaseValidUntilNanos() {
            if (!registered.contains(this)) {
                return System.nanoTime() - 1; // closed: no longer registered at all
            }
            return session.leaseValidUntilNanos(ownerSession);
        }

        @Override
        public void addListener(SessionListener listener) {
            Objects.requireNonNull(listener, "listener");
            // on the events thread, so that the first call comes before any event queued after it
            events.execute(() -> {
                if (listeners.addIfAbsent(listener) && registered.contains(this)) {
                    call(listener, l -> l.registered(epoch));
                }
            });
        }

        @Override
        public void removeListener(SessionListener listener) {
            listeners.remove(listener);
        }

        /** Calls every listener, in order, on the events thread. */
        void tell(Consumer<SessionListener> event) {
            try {
                events.execute(() -> listeners.forEach(l -> call(l, event)));
            } catch (RejectedExecutionException e) {
                // the coordinator is closing
            }
        }

        private void call(SessionListener listener, Consumer<SessionListener> event) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.error("Session listener of broker {} failed", registration.brokerId(), e);
            }
        }

        @Override
        public void close() {
            if (!registered.remove(this)) {
                return;
            }
            listeners.clear();
            int id = registration.brokerId();
            try {
                session.call("unregister broker " + id, client -> {
                    Stat stat = client.checkExists().forPath(path(id));
                    if (stat != null && stat.getEphemeralOwner() == session.sessionId()) {
                        try {
                            client.delete().withVersion(stat.getVersion()).forPath(path(id));
                        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                            // already gone, or rewritten by someone else: not ours to delete
                        }
                    }
                    return null;
                });
                LOG.info("Unregistered broker {}", id);
            } catch (CoordinationException e) {
                LOG.warn("Could not remove the registration of broker {}; it goes when the session ends: {}", id,
                        e.getMessage());
            }
        }
    }
}
