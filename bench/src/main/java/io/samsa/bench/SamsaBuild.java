package io.samsa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Builds Samsa's runtime before anything is timed, with {@code mvn package} (never
 * {@code install}: the local repository is shared, and the runtime under runtime/target is all
 * the launcher needs). Whether a build is due is bin/ensure-built.sh's own staleness check.
 */
final class SamsaBuild {
    private SamsaBuild() {
    }

    static void ensure(Workspace ws) {
        Path root = ws.rootDir();
        Path launcherJar = root.resolve("runtime/target/samsa/lib/samsa-launcher.jar");
        if (!ws.options().build()) {
            if (!Files.isDirectory(root.resolve("runtime/target/samsa"))) {
                throw new BrokerFailure("Samsa runtime " + root.resolve("runtime/target/samsa")
                        + " is missing and --no-build was given");
            }
            return;
        }
        String reason = run(ws, "staleness", 60, "bash", "-c",
                "SAMSA_SKIP_BUILD=1 source \"$1\" && samsa_build_reason", "ensure-built", root.resolve("bin/ensure-built.sh").toString())
                .strip();
        if (reason.isEmpty()) {
            return;
        }
        Log.info("Samsa: building (" + reason + "): mvn -B -q -DskipTests package in " + root);
        run(ws, "samsa-build", 1800, "mvn", "-B", "-q", "-DskipTests", "-f", root.resolve("pom.xml").toString(), "package");
        try {
            // an up-to-date launcher jar is not rewritten; its time stamp marks this build
            Files.setLastModifiedTime(launcherJar, FileTime.from(Instant.now()));
        } catch (IOException e) {
            throw new BrokerFailure("the Samsa build left no " + launcherJar);
        }
    }

    private static String run(Workspace ws, String name, int timeoutSeconds, String... cmd) {
        Path log = ws.dir("build").resolve(name + ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(ws.rootDir().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new BrokerFailure(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + "s");
            }
            String out = Files.readString(log);
            if (p.exitValue() != 0) {
                StringBuilder tail = new StringBuilder();
                BrokerUnderTest.tail(log, 40, tail);
                throw new BrokerFailure("Samsa build failed (" + String.join(" ", cmd) + "):\n" + tail);
            }
            return out;
        } catch (IOException e) {
            throw new BrokerFailure("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerFailure("interrupted");
        }
    }
}
