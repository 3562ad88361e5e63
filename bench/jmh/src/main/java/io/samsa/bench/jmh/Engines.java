package io.samsa.bench.jmh;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import io.samsa.api.storage.StorageEngine;

/**
 * Creates the storage engines outside OSGi, each from its own bundle jar in its own class
 * loader. Both bundles embed a private copy of {@code io.samsa.storage.format}; on one flat class
 * path the first jar's copy would serve both engines, and a jar built from older shared code
 * would be measured with the other's. The parent loader supplies the api, kafka-clients and
 * SLF4J, as the framework does for the bundles.
 */
final class Engines {

    static final String FILECHANNEL = "filechannel";
    static final String MMAP = "mmap";

    private Engines() {
    }

    /** A new engine by its {@code storage.engine} name, through its public no-argument constructor. */
    static StorageEngine create(String name) throws IOException {
        String className;
        switch (name) {
            case FILECHANNEL:
                className = "io.samsa.storage.filechannel.FileChannelStorageEngine";
                break;
            case MMAP:
                className = "io.samsa.storage.mmap.MmapStorageEngine";
                break;
            default:
                throw new IllegalArgumentException("Unknown storage engine '" + name + "': use filechannel or mmap");
        }
        Path jar = jar(name);
        // Never closed: the engine's classes are in use until the forked benchmark JVM exits.
        URLClassLoader loader = new URLClassLoader("samsa-" + name, new URL[] {jar.toUri().toURL()},
                Engines.class.getClassLoader());
        try {
            StorageEngine engine = (StorageEngine) loader.loadClass(className).getConstructor().newInstance();
            if (!name.equals(engine.name())) {
                throw new IllegalStateException(className + " calls itself '" + engine.name() + "', expected '" + name + "'");
            }
            return engine;
        } catch (ReflectiveOperationException e) {
            throw new IOException("Cannot instantiate " + className + " from " + jar, e);
        }
    }

    /** The bundle jar of an engine, as {@code mvn package} copied it from the local repository. */
    static Path jar(String name) throws IOException {
        Path jar = enginesDir().resolve("storage-" + name + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException("Engine jar " + jar + " is missing: build with bench/jmh.sh (mvn package in bench/jmh)");
        }
        return jar;
    }

    /** {@code -Dsamsa.bench.engines}, else {@code target/engines} beside {@code target/classes}. */
    private static Path enginesDir() throws IOException {
        String configured = System.getProperty("samsa.bench.engines");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        try {
            Path classes = Path.of(Engines.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.resolveSibling("engines");
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("Cannot locate the engine jars; set -Dsamsa.bench.engines=<dir>", e);
        }
    }
}
