package io.samsa.api.replication;

/**
 * Whether a partition's leader has all committed data (KIP-704): an unclean election makes the
 * new leader {@link #RECOVERING} until it has written its first ISR change.
 */
public enum LeaderRecoveryState {
    RECOVERED(0), RECOVERING(1);

    private final int code;

    LeaderRecoveryState(int code) {
        this.code = code;
    }

    /** The value Kafka stores as {@code leader_recovery_state}. */
    public int code() {
        return code;
    }

    /** @throws IllegalArgumentException for a code Kafka does not define */
    public static LeaderRecoveryState of(int code) {
        for (LeaderRecoveryState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown leader recovery state " + code + "; expected 0 or 1");
    }
}
