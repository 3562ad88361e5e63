package io.samsa.platform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which features are installed and which bundle locations each brought in. A bundle listed by
 * several features stays until the last of them is removed.
 */
final class InstalledFeatures {
    private final Map<String, List<String>> locationsByFeature = new LinkedHashMap<>();

    void add(String feature, List<String> locations) {
        locationsByFeature.put(feature, List.copyOf(locations));
    }

    boolean contains(String feature) {
        return locationsByFeature.containsKey(feature);
    }

    Set<String> names() {
        return Collections.unmodifiableSet(locationsByFeature.keySet());
    }

    List<String> locationsOf(String feature) {
        return locationsByFeature.getOrDefault(feature, List.of());
    }

    /**
     * Forgets the feature.
     *
     * @return its bundle locations that no other installed feature lists, in the feature's order
     */
    List<String> remove(String feature) {
        List<String> locations = locationsByFeature.remove(feature);
        if (locations == null) {
            return List.of();
        }
        List<String> unused = new ArrayList<>();
        for (String location : locations) {
            boolean shared = locationsByFeature.values().stream().anyMatch(other -> other.contains(location));
            if (!shared) {
                unused.add(location);
            }
        }
        return unused;
    }
}
