package io.samsa.features;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * Every version of the build is written once, in the root pom (properties and
 * dependencyManagement). The files that used to repeat versions must name them through the
 * root pom's properties, or Pax Exam's versionAsInProject(), so that an upgrade is one edit.
 */
public class VersionsInOnePlaceTest {
    private static final Path ROOT = Paths.get(System.getProperty("samsa.root", "..")).toAbsolutePath().normalize();
    /** An artifact version such as 4.4.0 or 1.5.7-17; OSGi import ranges like [1.5,2) have two parts. */
    private static final Pattern VERSION = Pattern.compile("(?<![\\w.$])\\d+\\.\\d+\\.\\d+");
    private static final Pattern FEATURE_BUNDLE_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern POM_VERSION = Pattern.compile("<version>([^<]*)</version>");
    private static final Pattern PAX_EXAM_VERSION = Pattern.compile(
            "\\.version\\(\\s*\"|mavenBundle\\(\\s*\"[^\"]*\"\\s*,\\s*\"[^\"]*\"\\s*,\\s*\"");

    @Test
    public void featureDescriptorsNameVersionsByProperty() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : files(ROOT.resolve("features/src/main/resources/features"), ".json")) {
            Matcher m = FEATURE_BUNDLE_ID.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                String id = m.group(1);
                if (!id.substring(id.lastIndexOf(':') + 1).startsWith("${")) {
                    found.add(ROOT.relativize(file) + ": " + id);
                }
            }
        }
        assertTrue("feature bundle ids with a written-out version (use the root pom's property): " + found, found.isEmpty());
    }

    @Test
    public void bndFilesAndScriptsWriteNoVersion() throws IOException {
        List<Path> checked = new ArrayList<>(files(ROOT.resolve("cnf"), ".bnd"));
        checked.add(ROOT.resolve("bnd.bnd"));
        for (Path module : files(ROOT.resolve("bundles"), "bnd.bnd")) {
            checked.add(module);
        }
        checked.addAll(files(ROOT.resolve("bin"), ""));
        checked.addAll(files(ROOT.resolve("runtime/src/main/dist/bin"), ""));
        List<String> found = new ArrayList<>();
        for (Path file : checked) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (VERSION.matcher(lines.get(i)).find()) {
                    found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertTrue("versions written out (use the root pom's properties): " + found, found.isEmpty());
    }

    @Test
    public void modulePomsTakeVersionsFromTheRootPom() throws IOException {
        List<String> found = new ArrayList<>();
        // the reactor's modules (bench/ is a build of its own, outside the reactor)
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        int modules = 0;
        while (module.find()) {
            modules++;
            Path pom = ROOT.resolve(module.group(1)).resolve("pom.xml");
            // the parent reference is the one version a module must write
            String text = Files.readString(pom, StandardCharsets.UTF_8).replaceAll("(?s)<parent>.*?</parent>", "");
            Matcher m = POM_VERSION.matcher(text);
            while (m.find()) {
                if (!m.group(1).startsWith("${")) {
                    found.add(ROOT.relativize(pom) + ": " + m.group());
                }
            }
        }
        assertTrue("the reactor's modules were read: " + modules, modules > 10);
        assertTrue("module poms with their own versions (manage them in the root pom): " + found, found.isEmpty());
    }

    @Test
    public void paxExamTakesVersionsAsInProject() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path source : files(ROOT.resolve("integration-tests/src/test/java"), ".java")) {
            Matcher m = PAX_EXAM_VERSION.matcher(Files.readString(source, StandardCharsets.UTF_8));
            while (m.find()) {
                found.add(ROOT.relativize(source) + ": " + m.group());
            }
        }
        assertTrue("Pax Exam bundles with a written-out version (use versionAsInProject()): " + found, found.isEmpty());
    }

    @Test
    public void theCheckSeesAVersion() {
        assertTrue(VERSION.matcher("Bundle-Version: 4.4.0").find());
        assertTrue(VERSION.matcher("npm install kafkajs@2.2.4").find());
        assertTrue(!VERSION.matcher("version=\"[1.5,2)\" ${kafka.version}").find());
        assertTrue(PAX_EXAM_VERSION.matcher("mavenBundle(\"org.slf4j\", \"slf4j-api\", \"2.0.17\")").find());
        assertTrue(PAX_EXAM_VERSION.matcher("mavenBundle(\"org.slf4j\", \"slf4j-api\").version(\"2.0.17\")").find());
    }

    /** Regular files under {@code dir} whose names end with {@code suffix}, skipping build output. */
    private static List<Path> files(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(p -> !ROOT.relativize(p).toString().contains("target/") && !p.toString().contains("/node_modules/")
                            && !p.toString().contains("/.git/"))
                    .sorted().toList();
        }
    }
}
