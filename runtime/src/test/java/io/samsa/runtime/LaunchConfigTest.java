package io.samsa.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class LaunchConfigTest {
    private Path home;
    private Path work;

    @Before
    public void setUp() throws IOException {
        home = Files.createTempDirectory("samsa-home");
        work = Files.createTempDirectory("samsa-work");
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/runtime.properties"), "samsa.features=platform,webconsole\n"
                + "http.port=8080\norg.slf4j.simpleLogger.defaultLogLevel=info\nsome.path=${samsa.home}/x\n");
    }

    @After
    public void tearDown() throws IOException {
        for (Path dir : List.of(home, work)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Path serverProperties(String text) throws IOException {
        return Files.writeString(work.resolve("server.properties"), text);
    }

    @Test
    public void defaultsPutEverythingUnderWorkDirData() throws IOException {
        LaunchConfig config = LaunchConfig.from(List.of(), home, work);
        Path data = work.resolve("data");
        assertEquals(data, config.dataDir);
        assertEquals(data.resolve("felix-cache").toString(), config.frameworkProperties.get("org.osgi.framework.storage"));
        assertEquals("onFirstInit", config.frameworkProperties.get("org.osgi.framework.storage.clean"));
        assertEquals(data.resolve("load").toString(), config.frameworkProperties.get("felix.fileinstall.dir"));
        assertTrue(Files.isDirectory(data.resolve("load")));
        assertEquals("8080", config.frameworkProperties.get("org.osgi.service.http.port"));
        assertEquals("127.0.0.1", config.frameworkProperties.get("org.apache.felix.http.host"));
        assertEquals("--nointeractive", config.frameworkProperties.get("gosh.args"));
        assertEquals(home + "/x", config.frameworkProperties.get("some.path"));
        assertEquals(data.resolve("logs/samsa.log").toString(), config.systemProperties.get("org.slf4j.simpleLogger.logFile"));
        assertEquals("info", config.systemProperties.get("org.slf4j.simpleLogger.defaultLogLevel"));
        assertFalse(config.frameworkProperties.containsKey("org.slf4j.simpleLogger.defaultLogLevel"));
        assertNull(config.frameworkProperties.get("samsa.server.properties"));
    }

    @Test
    public void serverPropertiesChooseDataDirPortAndFeatures() throws IOException {
        serverProperties("samsa.data.dir=broker2\nhttp.port=8082\nsamsa.features=platform\nbroker.id=2\n");
        LaunchConfig config = LaunchConfig.from(List.of("--shell", "server.properties"), home, work);
        assertEquals(work.resolve("broker2"), config.dataDir);
        assertEquals(8082, config.httpPort);
        assertEquals("8082", config.frameworkProperties.get("org.osgi.service.http.port"));
        assertEquals(List.of("platform"), config.features);
        assertEquals("", config.frameworkProperties.get("gosh.args"));
        assertEquals(work.resolve("server.properties").toString(), config.frameworkProperties.get("samsa.server.properties"));
        assertEquals(work.resolve("broker2/felix-cache").toString(), config.frameworkProperties.get("org.osgi.framework.storage"));
    }

    @Test
    public void passwordIsGeneratedOnceAndReused() throws IOException {
        LaunchConfig first = LaunchConfig.from(List.of(), home, work);
        String generated = first.credentials.generatedPassword();
        assertNotNull(generated);
        assertEquals(20, generated.length());
        Path file = work.resolve("data/webconsole.password");
        assertEquals(generated, Files.readString(file, StandardCharsets.UTF_8).trim());
        assertEquals(WebConsoleCredentials.hash(generated), first.frameworkProperties.get("felix.webconsole.password"));
        assertEquals("admin", first.frameworkProperties.get("felix.webconsole.username"));
        String notice = "Web console: http://127.0.0.1:8080/system/console (user admin, password in data/webconsole.password)";
        assertEquals(notice, first.webConsoleNotice());
        assertEquals("the log gets the generated password once", notice + "; generated password: " + generated,
                first.frameworkProperties.get("samsa.webconsole.notice"));

        LaunchConfig second = LaunchConfig.from(List.of(), home, work);
        assertNull("reused, not generated again", second.credentials.generatedPassword());
        assertEquals(notice, second.frameworkProperties.get("samsa.webconsole.notice"));
        assertEquals(WebConsoleCredentials.hash(generated), second.frameworkProperties.get("felix.webconsole.password"));
    }

    @Test
    public void operatorPasswordWinsAndIsNotWrittenToDisk() throws IOException {
        serverProperties("webconsole.username=ops\nwebconsole.password=s3cret\n");
        LaunchConfig config = LaunchConfig.from(List.of("server.properties"), home, work);
        assertEquals("ops", config.frameworkProperties.get("felix.webconsole.username"));
        assertEquals(WebConsoleCredentials.hash("s3cret"), config.frameworkProperties.get("felix.webconsole.password"));
        assertFalse(Files.exists(work.resolve("data/webconsole.password")));
        assertTrue(config.frameworkProperties.get("samsa.webconsole.notice").contains("user ops, password set in server.properties"));
    }

    @Test
    public void hashIsTheWebConsoleFormat() {
        // the Felix web console's own default, the hash of "admin"
        assertEquals("{sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=", WebConsoleCredentials.hash("admin"));
    }

    @Test
    public void badArgumentsAreNamed() throws IOException {
        expectError(List.of("--nope"), "unknown option --nope");
        expectError(List.of("missing.properties"), "does not exist");
        serverProperties("http.port=eighty\n");
        expectError(List.of("server.properties"), "http.port=eighty");
        serverProperties("http.port=70000\n");
        expectError(List.of("server.properties"), "http.port=70000");
    }

    private void expectError(List<String> args, String text) throws IOException {
        try {
            LaunchConfig.from(args, home, work);
            fail("accepted " + args);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(text));
        }
    }

    @Test
    public void logRotationKeepsPreviousRuns() throws IOException {
        Path log = work.resolve("samsa.log");
        for (int run = 1; run <= 4; run++) {
            LogFiles.rotate(log, 2);
            Files.writeString(log, "run " + run);
        }
        assertEquals("run 4", Files.readString(log));
        assertEquals("run 3", Files.readString(work.resolve("samsa.log.1")));
        assertEquals("run 2", Files.readString(work.resolve("samsa.log.2")));
        assertFalse(Files.exists(work.resolve("samsa.log.3")));
    }
}
