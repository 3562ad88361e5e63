package io.samsa.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The groups this coordinator holds, by group id. */
final class Groups {
    private final ConcurrentHashMap<String, ClassicGroup> byId = new ConcurrentHashMap<>();

    ClassicGroup get(String groupId) {
        return byId.get(groupId);
    }

    ClassicGroup getOrCreate(String groupId, int partition, long now) {
        return byId.computeIfAbsent(groupId, id -> new ClassicGroup(id, partition, now));
    }

    /** Removes {@code group} if it is still the one registered under its id. */
    void remove(ClassicGroup group) {
        byId.remove(group.groupId(), group);
    }

    void put(ClassicGroup group) {
        byId.put(group.groupId(), group);
    }

    /** Puts {@code group} back unless another group took its id meanwhile. */
    boolean restore(ClassicGroup group) {
        return byId.putIfAbsent(group.groupId(), group) == null;
    }

    Collection<ClassicGroup> all() {
        return byId.values();
    }

    List<ClassicGroup> inPartition(int partition) {
        List<ClassicGroup> out = new ArrayList<>();
        for (ClassicGroup g : byId.values()) {
            if (g.partition() == partition) {
                out.add(g);
            }
        }
        return out;
    }
}
