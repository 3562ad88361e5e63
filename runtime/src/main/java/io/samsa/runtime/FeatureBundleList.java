package io.samsa.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.cm.json.io.Configurations;

import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The bundles of a feature descriptor, read by the launcher for the one feature it installs
 * itself (platform); the platform bundle installs every other feature through the OSGi
 * Feature Service. Read as that service reads them: Felix cm.json drops the comments the
 * feature specification allows, jakarta.json (Parsson, from lib/) parses the rest.
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
        JsonValue json;
        try (Reader text = Configurations.jsonCommentAwareReader(Files.newBufferedReader(featureFile, StandardCharsets.UTF_8));
                jakarta.json.JsonReader reader = JsonProvider.provider().createReader(text)) {
            json = reader.readValue();
        } catch (JsonException e) {
            throw new IOException(featureFile + ": " + e.getMessage(), e);
        }
        if (!(json instanceof JsonObject feature) || !(feature.get("bundles") instanceof JsonArray bundles)) {
            throw new IOException(featureFile + ": no \"bundles\" array");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonValue item : bundles) {
            if (!(item instanceof JsonObject bundle) || !(bundle.get("id") instanceof JsonString id)) {
                throw new IOException(featureFile + ": a bundle without an \"id\"");
            }
            int level = bundle.get("start-order") instanceof JsonNumber startOrder ? startOrder.intValue() : 0;
            entries.add(new Entry(id.getString(), bundlesDir.resolve(fileName(id.getString())), level));
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
