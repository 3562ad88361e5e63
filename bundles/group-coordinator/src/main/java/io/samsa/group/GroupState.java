package io.samsa.group;

import java.util.EnumSet;
import java.util.Set;

/** The states of a classic group, named as Kafka reports them in DescribeGroups and ListGroups. */
enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The states a group may enter this one from. */
    Set<GroupState> validPrevious() {
        switch (this) {
            case PREPARING_REBALANCE:
                return EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY);
            case COMPLETING_REBALANCE:
                return EnumSet.of(PREPARING_REBALANCE);
            case STABLE:
                return EnumSet.of(COMPLETING_REBALANCE);
            case EMPTY:
                return EnumSet.of(PREPARING_REBALANCE);
            default:
                return EnumSet.allOf(GroupState.class);
        }
    }

    /** Case-insensitive look-up by Kafka's name, or null. */
    static GroupState forName(String name) {
        for (GroupState s : values()) {
            if (s.kafkaName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return kafkaName;
    }
}
