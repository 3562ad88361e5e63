package io.samsa.coordination.raft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code controller.quorum.voters} as Kafka spells it: {@code id@host:port,id@host:port,...}. */
record QuorumVoters(List<Voter> voters) {

    /** One voter: its {@code node.id} and the address its Raft server listens on. */
    record Voter(int id, String host, int port) {
        String address() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    QuorumVoters {
        voters = List.copyOf(voters);
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("controller.quorum.voters names no voter");
        }
        Set<Integer> ids = new HashSet<>();
        for (Voter v : voters) {
            if (!ids.add(v.id())) {
                throw new IllegalArgumentException("controller.quorum.voters names node " + v.id() + " twice");
            }
        }
    }

    static QuorumVoters parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("controller.quorum.voters is empty; it is id@host:port,...");
        }
        List<Voter> voters = new ArrayList<>();
        for (String part : text.split(",")) {
            String entry = part.trim();
            int at = entry.indexOf('@');
            int colon = entry.lastIndexOf(':');
            if (at <= 0 || colon < at + 2 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("controller.quorum.voters entry '" + entry
                        + "' is not id@host:port");
            }
            String host = entry.substring(at + 1, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int id;
            int port;
            try {
                id = Integer.parseInt(entry.substring(0, at));
                port = Integer.parseInt(entry.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("controller.quorum.voters entry '" + entry
                        + "' needs a numeric id and port", e);
            }
            if (id < 0 || port <= 0 || port > 65535) {
                throw new IllegalArgumentException("controller.quorum.voters entry '" + entry
                        + "' needs an id >= 0 and a port in 1..65535");
            }
            voters.add(new Voter(id, host, port));
        }
        return new QuorumVoters(voters);
    }

    Voter voter(int nodeId) {
        return voters.stream().filter(v -> v.id() == nodeId).findFirst().orElseThrow(
                () -> new IllegalArgumentException("node.id " + nodeId + " is not one of controller.quorum.voters "
                        + this));
    }

    @Override
    public String toString() {
        return String.join(",", voters.stream().map(v -> v.id() + "@" + v.address()).toList());
    }
}
