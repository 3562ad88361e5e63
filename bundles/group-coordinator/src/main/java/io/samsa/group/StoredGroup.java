package io.samsa.group;

import java.util.List;

/**
 * A group's membership as the group metadata record of {@code __consumer_offsets} holds it.
 *
 * @param protocolType          "" when none
 * @param protocol              the selected protocol, or null
 * @param leader                the leader's member id, or null
 * @param currentStateTimestamp when the group entered its current state, or -1
 */
record StoredGroup(String protocolType, int generation, String protocol, String leader, long currentStateTimestamp,
        List<Member> members) {

    /** One member: {@code subscription} is its metadata for the selected protocol. */
    record Member(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
            int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }
}
