package io.samsa.platform;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class InstalledFeaturesTest {
    @Test
    public void removeKeepsBundlesAnotherFeatureLists() {
        InstalledFeatures features = new InstalledFeatures();
        features.add("broker-core", List.of("file:api.jar", "file:broker.jar"));
        features.add("storage-mmap", List.of("file:api.jar", "file:mmap.jar"));
        assertEquals(List.of("file:mmap.jar"), features.remove("storage-mmap"));
        assertFalse(features.contains("storage-mmap"));
        assertEquals(List.of("file:api.jar", "file:broker.jar"), features.remove("broker-core"));
    }

    @Test
    public void removingAnUnknownFeatureRemovesNothing() {
        InstalledFeatures features = new InstalledFeatures();
        features.add("a", List.of("file:x.jar"));
        assertEquals(List.of(), features.remove("b"));
        assertTrue(features.contains("a"));
    }

    @Test
    public void featureDefaultsOnlyFillMissingKeys() {
        Hashtable<String, Object> existing = new Hashtable<>();
        existing.put("broker.id", 5);
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("broker.id", 0);
        defaults.put("num.partitions", 1);
        assertEquals(List.of("num.partitions"), ConfigurationValues.missingKeys(existing, defaults));
        assertEquals(List.of("broker.id", "num.partitions"), ConfigurationValues.missingKeys(null, defaults));
    }
}
