package io.samsa.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary log directories under {@code -Dsamsa.bench.dir} (default: java.io.tmpdir). */
final class LogDirs {

    private LogDirs() {
    }

    static Path create(String prefix) throws IOException {
        Path base = Path.of(System.getProperty("samsa.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, "samsa-jmh-" + prefix + "-");
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
