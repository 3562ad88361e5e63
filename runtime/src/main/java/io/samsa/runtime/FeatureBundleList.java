package io.samsa.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.samsa.json.Json;

/**
 * The bundles of a feature descriptor, read by the launcher for the one feature it installs
 * itself (platform); the platform bundle installs every other feature through the OSGi
 * Feature Service.
 */
final class FeatureBundleList {
    /** A bundle of the feature: Maven id, jar in the runtime's bundles folder, start level (0 = default). */
    record Entry(String id, Path jar, int startLevel) {
        String location() {
            return jar.toAbsolutePath().normalize().toUri().toString();
        }
    }

    private FeatureBundleList() {
    }

    static List<Entry> read(Path featureFile, Path bundlesDir) throws IOException {
        Object json;
        try {
            json = Json.parseWithComments(Files.readString(featureFile, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(featureFile + ": " + e.getMessage(), e);
        }
        if (!(json instanceof Map) || !(((Map<?, ?>) json).get("bundles") instanceof List)) {
            throw new IOException(featureFile + ": no \"bundles\" array");
        }
        List<Entry> entries = new ArrayList<>();
        for (Object item : (List<?>) ((Map<?, ?>) json).get("bundles")) {
            if (!(item instanceof Map) || !(((Map<?, ?>) item).get("id") instanceof String)) {
                throw new IOException(featureFile + ": a bundle without an \"id\"");
            }
            Map<?, ?> bundle = (Map<?, ?>) item;
            String id = (String) bundle.get("id");
            Object startOrder = bundle.get("start-order");
            int level = startOrder instanceof Number ? ((Number) startOrder).intValue() : 0;
            entries.add(new Entry(id, bundlesDir.resolve(fileName(id)), level));
        }
        return entries;
    }

    /**
     * The file name copy-dependencies gives a Maven id
     * {@code group:artifact[:type[:classifier]]:version}: {@code artifact-version[-classifier].jar}.
     */
    static String fileName(String id) {
        String[] parts = id.split(":");
        if (parts.length < 3 || parts.length > 5) {
            throw new IllegalArgumentException("not a Maven id: " + id);
        }
        String version = parts[parts.length - 1];
        String classifier = parts.length == 5 ? "-" + parts[3] : "";
        return parts[1] + "-" + version + classifier + ".jar";
    }
}
