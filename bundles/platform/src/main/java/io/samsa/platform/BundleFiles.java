package io.samsa.platform;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.osgi.service.feature.ID;

/**
 * Where the jar of a feature's bundle lives: the runtime's {@code bundles/} folder holds every
 * bundle as {@code <artifactId>-<version>[-<classifier>].jar} (the file names that
 * maven-dependency-plugin's copy-dependencies writes), so a Maven id is enough to find it.
 */
final class BundleFiles {
    private final Path directory;

    BundleFiles(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    Path directory() {
        return directory;
    }

    /** The file the id maps to, whether or not it exists. */
    Path pathOf(ID id) {
        String type = id.getType().orElse("jar");
        if (!type.equals("jar") && !type.equals("bundle")) {
            throw new IllegalArgumentException("bundle " + id + " has type '" + type + "'; only jar bundles can be installed");
        }
        StringBuilder name = new StringBuilder(id.getArtifactId()).append('-').append(id.getVersion());
        id.getClassifier().ifPresent(c -> name.append('-').append(c));
        return directory.resolve(name.append(".jar").toString());
    }

    /** The file the id maps to; fails naming both when the runtime does not ship it. */
    Path existingPathOf(ID id) throws FileNotFoundException {
        Path path = pathOf(id);
        if (!Files.isRegularFile(path)) {
            throw new FileNotFoundException("bundle " + id + " is not in the runtime: " + path + " does not exist");
        }
        return path;
    }

    /**
     * The bundle location used for a jar. The launcher installs the platform feature with the same
     * locations, so installing a feature twice finds the bundles already there.
     */
    static String locationOf(Path jar) {
        return jar.toAbsolutePath().normalize().toUri().toString();
    }
}
