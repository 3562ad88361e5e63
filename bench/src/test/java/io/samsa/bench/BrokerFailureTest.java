package io.samsa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness notices a broker that will not start, never listens, or dies mid-run, and stops what it started. */
class BrokerFailureTest {
    @TempDir
    Path bench;
    private Workspace ws;

    /** A broker run by a test script: "$1" is the port it should listen on. */
    private final class StandIn extends BrokerUnderTest {
        private final Path script;
        private int port;

        StandIn(String body) throws IOException {
            super(ws, "stand-in", "Stand-in", 1);
            script = bench.resolve("launcher.sh");
            Files.writeString(script, "#!/usr/bin/env bash\n" + body + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        @Override
        protected int configure(int node, Path dir) {
            port = ws.freePort(39092);
            return port;
        }

        @Override
        protected List<String> command(int node, Path dir) {
            return List.of(script.toString(), Integer.toString(port));
        }

        @Override
        protected void awaitReady(long deadlineNanos, int timeoutSeconds) {
            // listening is all a stand-in can do
        }

        @Override
        protected List<Path> logFiles(int node, Path dir) {
            return List.of(dir.resolve("broker.log"));
        }

        @Override
        public Path logDir(int node) {
            return bench;
        }
    }

    @BeforeEach
    void workspace() throws Exception {
        ws = new Workspace(bench.resolve("bench"), BenchOptions.parse(new String[] {"--start-timeout", "3"}, bench.resolve("none")));
    }

    private static String listener() {
        try {
            Path classes = Path.of(FakeListener.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return "java -Xmx32m -cp '" + classes + "' io.samsa.bench.FakeListener \"$1\"";
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aLauncherThatExitsAtOnceFailsFastWithItsLog() throws Exception {
        long start = System.nanoTime();
        try (StandIn broker = new StandIn("echo 'launcher: cannot read configuration (simulated start-up failure)'; exit 3")) {
            BrokerFailure f = assertThrows(BrokerFailure.class, broker::start);
            assertTrue(f.getMessage().matches("broker process \\d+ exited before listening on 127.0.0.1:\\d+ \\(exit code 3\\)"),
                    f.getMessage());
            assertTrue(broker.logTails(40).contains("simulated start-up failure"), broker.logTails(40));
        }
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }

    @Test
    void aLauncherThatNeverListensFailsOnTheDeadlineAndIsStopped() throws Exception {
        StandIn broker = new StandIn("echo 'launcher: waiting forever (simulated hang)'; exec sleep 600");
        BrokerFailure f = assertThrows(BrokerFailure.class, broker::start);
        assertTrue(f.getMessage().matches("broker did not listen on 127.0.0.1:\\d+ within 3s"), f.getMessage());
        long group = ProcessHandle.current().descendants().filter(h -> h.info().command().orElse("").endsWith("sleep"))
                .findFirst().orElseThrow().pid();
        broker.close();
        assertFalse(BrokerUnderTest.groupAlive(group));
    }

    @Test
    void aBrokerKilledMidRunIsReportedAndEverythingItStartedIsStopped() throws Exception {
        StandIn[] started = new StandIn[1];
        long[] jvm = new long[1];
        Scenario killedMidRun = new Scenario() {
            @Override
            public String name() {
                return "a tool run during which the broker dies";
            }

            @Override
            public void run(BrokerUnderTest broker, Results results, Results.BrokerResults out) {
                jvm[0] = broker.jvmPid();
                new Thread(() -> {
                    BrokerUnderTest.pause(1000);
                    ProcessHandle.of(jvm[0]).ifPresent(ProcessHandle::destroyForcibly);
                }).start();
                new KafkaTool(ws).runCommand("stand-in-tool", broker, 60, "ProducerPerformance", List.of("sleep", "60"));
            }
        };
        Results results = new Results();
        long start = System.nanoTime();
        // the launcher stays as the JVM's parent, as a launcher script may
        boolean ok = BrokerRun.run(() -> {
            try {
                return started[0] = new StandIn(listener() + "\necho 'launcher: the broker is gone'");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, List.of(killedMidRun), results);
        assertFalse(ok);
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "noticed within seconds, not at the tool's deadline");
        String failure = results.broker("stand-in").failure();
        assertTrue(failure.matches("broker died while ProducerPerformance ran \\(JVM pid \\d+ is gone\\)"), failure);
        assertNotEquals(0, jvm[0]);
        assertTrue(ProcessInfo.commandLine(jvm[0]).isEmpty(), "the JVM found was the one killed");
        assertTrue(results.anyFailed());
    }

    @Test
    void aToolThatHangsIsStoppedAtItsDeadline() throws Exception {
        try (StandIn broker = new StandIn("exec " + listener())) {
            broker.start();
            assertEquals(broker.jvmPid(), ProcessHandle.current().descendants()
                    .filter(h -> h.info().command().orElse("").endsWith("/java")).findFirst().orElseThrow().pid());
            BrokerFailure f = assertThrows(BrokerFailure.class, () -> new KafkaTool(ws).runCommand("hung", broker, 1,
                    "ConsumerPerformance", List.of("sleep", "60")));
            assertEquals("ConsumerPerformance did not finish within 1s", f.getMessage());
            assertTrue(broker.alive());
            assertTrue(broker.sample().threads() > 5, "the JVM is sampled, not its launcher");
        }
    }
}
