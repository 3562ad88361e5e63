package io.samsa.api.broker;

/**
 * Who writes a {@link PartitionService#append} and so which checks its batches must pass: a
 * client's produce request is held to Kafka's rules for its version (one batch per partition,
 * zstd only from version 7, no transactional or control batches, no internal topics); the
 * broker's own writes (the group coordinator's) are not.
 *
 * @param produceVersion the version of the client's produce request; unused for the broker
 * @param internal       true for the broker's own writes
 * @since 1.2
 */
public record AppendOrigin(short produceVersion, boolean internal) {

    /** The broker itself, which may write internal topics, several batches and control batches. */
    public static final AppendOrigin BROKER = new AppendOrigin((short) -1, true);

    /** The first produce version that may carry zstd-compressed batches (KIP-110). */
    public static final short FIRST_ZSTD_PRODUCE_VERSION = 7;

    /** A client's produce request of {@code produceVersion}. */
    public static AppendOrigin client(short produceVersion) {
        return new AppendOrigin(produceVersion, false);
    }
}
