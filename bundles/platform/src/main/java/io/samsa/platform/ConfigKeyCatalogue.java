package io.samsa.platform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Which PID owns which server.properties key, read from the metatype of the installed bundles:
 * an attribute id of a PID's object class definition is the Kafka key it owns. Nothing here is
 * kept by hand, so a bundle that declares a new setting is configurable from server.properties
 * as soon as it is installed.
 *
 * <p>Every key has one owner. A key two PIDs declare is a conflict, reported by name; it is
 * still applied to both, so that a broker keeps working while the bundles are mended. The one
 * exception is {@link #READ_BY_SEVERAL}.
 */
final class ConfigKeyCatalogue {
    /**
     * Keys that more than one component must see by design: {@code zookeeper.connect} is where the
     * coordinator connects, and its being empty is what starts the embedded ZooKeeper server.
     */
    static final Set<String> READ_BY_SEVERAL = Set.of("zookeeper.connect");

    private final Map<String, List<OwnedKey>> owners;
    private final List<String> conflicts;

    private ConfigKeyCatalogue(Map<String, List<OwnedKey>> owners, List<String> conflicts) {
        this.owners = owners;
        this.conflicts = conflicts;
    }

    /**
     * The keys of these PIDs' attributes. OSGi's own component properties ({@code service.*},
     * {@code component.*}, e.g. a storage engine's {@code service.ranking}) belong to the PID
     * that declares them and are no server.properties keys.
     */
    static ConfigKeyCatalogue of(List<OwnedKey> declared) {
        Map<String, List<OwnedKey>> owners = new TreeMap<>();
        for (OwnedKey key : declared) {
            if (isComponentProperty(key.key())) {
                continue;
            }
            List<OwnedKey> ofKey = owners.computeIfAbsent(key.key(), k -> new ArrayList<>());
            if (ofKey.stream().noneMatch(k -> k.pid().equals(key.pid()))) {
                ofKey.add(key);
            }
        }
        List<String> conflicts = new ArrayList<>();
        owners.forEach((key, ofKey) -> {
            if (ofKey.size() > 1 && !READ_BY_SEVERAL.contains(key)) {
                conflicts.add(key + " is declared by " + String.join(" and ", ofKey.stream().map(OwnedKey::pid).toList()));
            }
        });
        return new ConfigKeyCatalogue(owners, Collections.unmodifiableList(conflicts));
    }

    /** The keys declared by the singleton PIDs of these bundles' metatype. */
    static ConfigKeyCatalogue read(MetaTypeService metaTypes, Bundle[] bundles) {
        List<OwnedKey> declared = new ArrayList<>();
        for (Bundle bundle : bundles) {
            if (bundle.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            MetaTypeInformation info = metaTypes.getMetaTypeInformation(bundle);
            if (info == null) {
                continue;
            }
            for (String pid : info.getPids()) {
                ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
                var attributes = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
                if (attributes != null) {
                    for (var attribute : attributes) {
                        declared.add(OwnedKey.of(pid, attribute));
                    }
                }
            }
        }
        return of(declared);
    }

    static boolean isComponentProperty(String key) {
        return key.startsWith("service.") || key.startsWith("component.");
    }

    /** The PIDs declaring the key: one, several when the bundles conflict, none for a key nobody owns. */
    List<OwnedKey> owners(String key) {
        return owners.getOrDefault(key, List.of());
    }

    /** The owning PID of each key, the first declaration where the bundles conflict. */
    Map<String, String> pidByKey() {
        Map<String, String> pids = new TreeMap<>();
        owners.forEach((key, ofKey) -> pids.put(key, ofKey.get(0).pid()));
        return pids;
    }

    /** Every declaration, in key order. */
    List<OwnedKey> keys() {
        return owners.values().stream().flatMap(List::stream).toList();
    }

    /** "key is declared by pidA and pidB", one line per key with more than one owner. */
    List<String> conflicts() {
        return conflicts;
    }
}
