package io.samsa.group;

import java.util.List;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/** JoinGroup response shapes. */
final class JoinResponses {
    private JoinResponses() {
    }

    static JoinGroupResponseData error(String memberId, Errors error) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setMemberId(memberId == null ? "" : memberId)
                .setGenerationId(-1).setProtocolName(null).setLeader("");
    }

    static JoinGroupResponseData success(ClassicGroup group, String memberId, String leader,
            List<JoinGroupResponseData.JoinGroupResponseMember> members, boolean skipAssignment) {
        return new JoinGroupResponseData().setMemberId(memberId).setGenerationId(group.generationId())
                .setProtocolType(group.protocolType()).setProtocolName(group.protocolName())
                .setLeader(leader == null ? "" : leader).setMembers(members).setSkipAssignment(skipAssignment);
    }

    /** Kafka's per-version rules: the protocol name is "" for versions before 7, and null for "" after. */
    static JoinGroupResponseData forVersion(JoinGroupResponseData r, short version) {
        if (version < 7) {
            if (r.protocolName() == null) {
                r.setProtocolName("");
            }
            r.setProtocolType(null);
        } else if (r.protocolName() != null && r.protocolName().isEmpty()) {
            r.setProtocolName(null);
        }
        if (version < 9) {
            r.setSkipAssignment(false);
        }
        if (version < 5) {
            for (JoinGroupResponseData.JoinGroupResponseMember m : r.members()) {
                m.setGroupInstanceId(null);
            }
        }
        return r;
    }
}
