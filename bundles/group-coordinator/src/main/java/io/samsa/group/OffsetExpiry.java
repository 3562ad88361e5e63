package io.samsa.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic clean-up with Kafka 2.1+ semantics: the offsets of an empty group expire
 * {@code offsets.retention.minutes} after it became empty; a stable consumer group loses the
 * offsets of topics it no longer subscribes to; a commit-only group's offsets expire by commit
 * time. Empty groups left without offsets are removed, with tombstones.
 */
final class OffsetExpiry {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetExpiry.class);

    private final GroupConfig config;
    private final Groups groups;
    private final CoordinatorLog log;

    OffsetExpiry(GroupConfig config, Groups groups, CoordinatorLog log) {
        this.config = config;
        this.groups = groups;
        this.log = log;
    }

    void run() {
        long now = Rebalancer.now();
        int offsetsRemoved = 0;
        int groupsRemoved = 0;
        for (ClassicGroup g : groups.all()) {
            Deferred after = new Deferred();
            g.lock();
            try {
                if (g.is(GroupState.DEAD) || g.hasPendingCommits()) {
                    continue;
                }
                List<CoordinatorLog.Entry> tombstones = new ArrayList<>();
                for (TopicPartition tp : expired(g, now)) {
                    g.removeOffset(tp);
                    tombstones.add(new CoordinatorLog.Entry(CoordinatorRecords.offsetKey(g.groupId(), tp), null));
                    offsetsRemoved++;
                }
                if (g.isEmptyAndForgettable()) {
                    if (g.isMetadataStored()) {
                        tombstones.add(new CoordinatorLog.Entry(CoordinatorRecords.groupKey(g.groupId()), null));
                    }
                    g.markDead(Errors.COORDINATOR_NOT_AVAILABLE, now, after);
                    groups.remove(g);
                    groupsRemoved++;
                }
                if (!tombstones.isEmpty()) {
                    String id = g.groupId();
                    log.append(g.partition(), tombstones, now).thenAccept(r -> {
                        if (r.error() != Errors.NONE) {
                            LOG.warn("Failed to write expiry tombstones of group {}: {}", id, r.error());
                        }
                    });
                }
            } finally {
                g.unlock();
                after.run();
            }
        }
        if (offsetsRemoved > 0 || groupsRemoved > 0) {
            LOG.info("Removed {} expired offsets and {} empty groups", offsetsRemoved, groupsRemoved);
        }
    }

    private List<TopicPartition> expired(ClassicGroup g, long now) {
        List<TopicPartition> out = new ArrayList<>();
        if (g.protocolType() != null && g.is(GroupState.EMPTY)) {
            for (Map.Entry<TopicPartition, CommittedOffset> e : g.offsets().entrySet()) {
                long base = g.stateTimestamp() >= 0 ? g.stateTimestamp() : e.getValue().commitTimestamp();
                if (isExpired(e.getValue(), base, now)) {
                    out.add(e.getKey());
                }
            }
        } else if (ConsumerProtocol.PROTOCOL_TYPE.equals(g.protocolType()) && g.is(GroupState.STABLE)) {
            Set<String> subscribed = subscribedTopics(g);
            if (subscribed != null) {
                for (Map.Entry<TopicPartition, CommittedOffset> e : g.offsets().entrySet()) {
                    if (!subscribed.contains(e.getKey().topic())
                            && isExpired(e.getValue(), e.getValue().commitTimestamp(), now)) {
                        out.add(e.getKey());
                    }
                }
            }
        } else if (g.protocolType() == null) {
            for (Map.Entry<TopicPartition, CommittedOffset> e : g.offsets().entrySet()) {
                if (isExpired(e.getValue(), e.getValue().commitTimestamp(), now)) {
                    out.add(e.getKey());
                }
            }
        }
        return out;
    }

    private boolean isExpired(CommittedOffset c, long base, long now) {
        if (c.expireTimestamp() >= 0) {
            return now >= c.expireTimestamp();
        }
        return now - base >= config.offsetsRetentionMs();
    }

    /** The topics the members subscribe to, or null when some subscription cannot be read. */
    private static Set<String> subscribedTopics(ClassicGroup g) {
        Set<String> topics = new HashSet<>();
        try {
            for (GroupMember m : g.members()) {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(m.metadata(g.protocolName())))
                        .topics());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return topics;
    }
}
