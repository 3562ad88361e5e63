package io.samsa.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;

/**
 * The key and value layouts of {@code __consumer_offsets} records, as Apache Kafka writes them:
 * a key starts with an int16 record type (0 or 1: offset commit, 2: group metadata; later types
 * belong to other group protocols), a value with an int16 schema version. Values of versions 0
 * to 4 are read (4 is the flexible encoding); offset commits are written as version 3 (1 when
 * the commit carries an expiry) and group metadata as version 3, the versions Kafka writes.
 */
final class CoordinatorRecords {
    static final short OFFSET_COMMIT_KEY_VERSION = 1;
    static final short GROUP_METADATA_KEY_VERSION = 2;
    static final short OFFSET_VALUE_VERSION = 3;
    static final short OFFSET_VALUE_WITH_EXPIRY_VERSION = 1;
    static final short GROUP_VALUE_VERSION = 3;

    /** A parsed key: {@code partition} is null for a group metadata key. */
    record Key(String group, TopicPartition partition) {
        boolean isOffset() {
            return partition != null;
        }
    }

    private CoordinatorRecords() {
    }

    static byte[] offsetKey(String group, TopicPartition tp) {
        byte[] g = utf8(group);
        byte[] t = utf8(tp.topic());
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        b.putShort(OFFSET_COMMIT_KEY_VERSION);
        putString(b, g);
        putString(b, t);
        b.putInt(tp.partition());
        return b.array();
    }

    static byte[] groupKey(String group) {
        byte[] g = utf8(group);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length);
        b.putShort(GROUP_METADATA_KEY_VERSION);
        putString(b, g);
        return b.array();
    }

    static byte[] offsetValue(CommittedOffset o) {
        byte[] m = utf8(o.metadata());
        boolean expiry = o.expireTimestamp() >= 0;
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + (expiry ? 0 : 4) + 2 + m.length + 8 + (expiry ? 8 : 0));
        b.putShort(expiry ? OFFSET_VALUE_WITH_EXPIRY_VERSION : OFFSET_VALUE_VERSION);
        b.putLong(o.offset());
        if (!expiry) {
            b.putInt(o.leaderEpoch());
        }
        putString(b, m);
        b.putLong(o.commitTimestamp());
        if (expiry) {
            b.putLong(o.expireTimestamp());
        }
        return b.array();
    }

    static byte[] groupValue(StoredGroup g) {
        byte[] type = utf8(g.protocolType());
        byte[] protocol = g.protocol() == null ? null : utf8(g.protocol());
        byte[] leader = g.leader() == null ? null : utf8(g.leader());
        int size = 2 + stringSize(type) + 4 + stringSize(protocol) + stringSize(leader) + 8 + 4;
        List<byte[][]> encoded = new ArrayList<>(g.members().size());
        for (StoredGroup.Member m : g.members()) {
            byte[][] s = {utf8(m.memberId()), m.groupInstanceId() == null ? null : utf8(m.groupInstanceId()),
                    utf8(m.clientId()), utf8(m.clientHost())};
            encoded.add(s);
            size += stringSize(s[0]) + stringSize(s[1]) + stringSize(s[2]) + stringSize(s[3]) + 4 + 4
                    + 4 + m.subscription().length + 4 + m.assignment().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort(GROUP_VALUE_VERSION);
        putString(b, type);
        b.putInt(g.generation());
        putString(b, protocol);
        putString(b, leader);
        b.putLong(g.currentStateTimestamp());
        b.putInt(g.members().size());
        for (int i = 0; i < g.members().size(); i++) {
            StoredGroup.Member m = g.members().get(i);
            byte[][] s = encoded.get(i);
            putString(b, s[0]);
            putString(b, s[1]);
            putString(b, s[2]);
            putString(b, s[3]);
            b.putInt(m.rebalanceTimeoutMs());
            b.putInt(m.sessionTimeoutMs());
            b.putInt(m.subscription().length).put(m.subscription());
            b.putInt(m.assignment().length).put(m.assignment());
        }
        return b.array();
    }

    /** The key, or null for record types of other group protocols. */
    static Key parseKey(ByteBuffer key) {
        ByteBuffer b = key.duplicate();
        short type = b.getShort();
        if (type == 0 || type == 1) {
            String group = readString(b, false);
            String topic = readString(b, false);
            return new Key(group, new TopicPartition(topic, b.getInt()));
        }
        if (type == GROUP_METADATA_KEY_VERSION) {
            return new Key(readString(b, false), null);
        }
        return null;
    }

    static CommittedOffset parseOffsetValue(ByteBuffer value, long logOffset) {
        ByteBuffer b = value.duplicate();
        short version = b.getShort();
        checkVersion(version, "OffsetCommitValue");
        boolean flexible = version >= 4;
        long offset = b.getLong();
        int leaderEpoch = version >= 3 ? b.getInt() : -1;
        String metadata = readString(b, flexible);
        long commitTimestamp = b.getLong();
        long expireTimestamp = version == 1 ? b.getLong() : -1L;
        return new CommittedOffset(offset, leaderEpoch, metadata == null ? "" : metadata, commitTimestamp,
                expireTimestamp, logOffset);
    }

    static StoredGroup parseGroupValue(ByteBuffer value) {
        ByteBuffer b = value.duplicate();
        short version = b.getShort();
        checkVersion(version, "GroupMetadataValue");
        boolean flexible = version >= 4;
        String protocolType = readString(b, flexible);
        int generation = b.getInt();
        String protocol = readString(b, flexible);
        String leader = readString(b, flexible);
        long stateTimestamp = version >= 2 ? b.getLong() : -1L;
        int count = flexible ? readUnsignedVarint(b) - 1 : b.getInt();
        List<StoredGroup.Member> members = new ArrayList<>(Math.max(count, 0));
        for (int i = 0; i < count; i++) {
            String memberId = readString(b, flexible);
            String instanceId = version >= 3 ? readString(b, flexible) : null;
            String clientId = readString(b, flexible);
            String clientHost = readString(b, flexible);
            int rebalanceTimeout = version >= 1 ? b.getInt() : -1;
            int sessionTimeout = b.getInt();
            byte[] subscription = readBytes(b, flexible);
            byte[] assignment = readBytes(b, flexible);
            if (flexible) {
                skipTaggedFields(b);
            }
            members.add(new StoredGroup.Member(memberId, instanceId, clientId, clientHost,
                    rebalanceTimeout < 0 ? sessionTimeout : rebalanceTimeout, sessionTimeout, subscription,
                    assignment));
        }
        return new StoredGroup(protocolType == null ? "" : protocolType, generation, protocol, leader, stateTimestamp,
                members);
    }

    private static void checkVersion(short version, String schema) {
        if (version < 0 || version > 4) {
            throw new IllegalArgumentException("Unknown " + schema + " version " + version);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int stringSize(byte[] s) {
        return 2 + (s == null ? 0 : s.length);
    }

    private static void putString(ByteBuffer b, byte[] s) {
        if (s == null) {
            b.putShort((short) -1);
        } else {
            b.putShort((short) s.length).put(s);
        }
    }

    private static String readString(ByteBuffer b, boolean flexible) {
        int length = flexible ? readUnsignedVarint(b) - 1 : b.getShort();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ByteBuffer b, boolean flexible) {
        int length = flexible ? readUnsignedVarint(b) - 1 : b.getInt();
        if (length < 0) {
            return new byte[0];
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return bytes;
    }

    private static void skipTaggedFields(ByteBuffer b) {
        int tags = readUnsignedVarint(b);
        for (int i = 0; i < tags; i++) {
            readUnsignedVarint(b);
            int size = readUnsignedVarint(b);
            b.position(b.position() + size);
        }
    }

    private static int readUnsignedVarint(ByteBuffer b) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte x = b.get();
            value |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("Varint longer than 5 bytes");
    }
}
