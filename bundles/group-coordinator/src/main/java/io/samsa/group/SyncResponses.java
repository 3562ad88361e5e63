package io.samsa.group;

import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/** SyncGroup response shapes. */
final class SyncResponses {
    private SyncResponses() {
    }

    static SyncGroupResponseData error(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(GroupMember.EMPTY_BYTES);
    }

    static SyncGroupResponseData assignment(ClassicGroup group, byte[] assignment) {
        return new SyncGroupResponseData().setProtocolType(group.protocolType()).setProtocolName(group.protocolName())
                .setAssignment(assignment);
    }

    static SyncGroupResponseData forVersion(SyncGroupResponseData r, short version) {
        if (version < 5) {
            r.setProtocolType(null).setProtocolName(null);
        }
        return r;
    }
}
