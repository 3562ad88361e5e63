package io.samsa.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * slf4j-simple truncates its log file when it opens it, so the launcher moves the previous
 * run's log aside first: samsa.log becomes samsa.log.1, .1 becomes .2, and so on.
 */
final class LogFiles {
    private LogFiles() {
    }

    static void rotate(Path log, int keep) throws IOException {
        if (!Files.isRegularFile(log) || Files.size(log) == 0) {
            return;
        }
        Files.deleteIfExists(numbered(log, keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = numbered(log, i);
            if (Files.exists(from)) {
                Files.move(from, numbered(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(log, numbered(log, 1), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path numbered(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }
}
