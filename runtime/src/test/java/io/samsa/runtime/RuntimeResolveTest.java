package io.samsa.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Test;
import org.osgi.service.resolver.ResolutionException;

import aQute.bnd.build.Workspace;
import aQute.bnd.header.Parameters;
import aQute.bnd.osgi.Constants;
import aQute.bnd.osgi.Processor;
import aQute.bnd.repository.fileset.FileSetRepository;
import biz.aQute.resolve.Bndrun;

/**
 * Resolves runtime.bndrun with bnd's resolver against the bundles of the features the runtime
 * starts (target/samsa, filled before the test phase): every Import-Package, and every service
 * and extender requirement, of the Samsa bundles must be met by those bundles alone.
 */
public class RuntimeResolveTest {
    private static final Path BNDRUN = Paths.get("runtime.bndrun");

    private final Path samsa = Paths.get(System.getProperty("samsa.dir", "target/samsa"));

    /** The jars of the features {@code samsa.features} of conf/runtime.properties names, in that order. */
    private List<File> startFeatureBundles() throws IOException {
        Properties runtime = new Properties();
        try (Reader in = Files.newBufferedReader(samsa.resolve("conf/runtime.properties"))) {
            runtime.load(in);
        }
        List<File> jars = new ArrayList<>();
        for (String feature : runtime.getProperty("samsa.features").split("\\s*,\\s*")) {
            for (FeatureBundleList.Entry entry : FeatureBundleList.read(samsa.resolve("features/" + feature + ".json"),
                    samsa.resolve("bundles"))) {
                jars.add(entry.jar().toFile());
            }
        }
        return jars;
    }

    /** The framework the launcher embeds (lib/), which -runfw names. */
    private File framework() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(samsa.resolve("lib"), "org.apache.felix.framework-*.jar")) {
            return jars.iterator().next().toFile();
        }
    }

    /** The symbolic names of the -runbundles the resolver chose, from a repository of {@code bundles}. */
    private Set<String> resolve(List<File> bundles) throws Exception {
        return resolve(bundles, List.of());
    }

    /** As {@link #resolve(List)}, requiring the bundles {@code alsoRequired} names besides the bndrun's. */
    private Set<String> resolve(List<File> bundles, List<String> alsoRequired) throws Exception {
        List<File> repository = new ArrayList<>(bundles);
        repository.add(framework());
        try (Processor settings = new Processor()) {
            Workspace workspace = Workspace.createStandaloneWorkspace(settings, BNDRUN.toAbsolutePath().toUri());
            workspace.setOffline(true);
            workspace.addBasicPlugin(new FileSetRepository("start-features", repository));
            try (Bndrun run = Bndrun.createBndrun(workspace, BNDRUN.toFile())) {
                if (!alsoRequired.isEmpty()) {
                    StringBuilder requires = new StringBuilder(run.getProperty(Constants.RUNREQUIRES));
                    alsoRequired.forEach(bsn -> requires.append(",bnd.identity;id='").append(bsn).append('\''));
                    run.setProperty(Constants.RUNREQUIRES, requires.toString());
                }
                String runbundles = run.resolve(false, false);
                assertTrue("bnd errors: " + run.getErrors(), run.getErrors().isEmpty());
                return new TreeSet<>(new Parameters(runbundles).keySet());
            }
        }
    }

    @Test
    public void theStartFeaturesResolveTogether() throws Exception {
        Set<String> resolved = resolve(startFeatureBundles());
        // What only a service or extender requirement pulls in: DS for every component, Config
        // Admin for the configured ones; the broker, group coordinator and front end through the
        // broker's declared services and the coordination and storage services.
        for (String bsn : List.of("org.apache.felix.scr", "org.apache.felix.configadmin", "io.samsa.cluster-metadata", "io.samsa.broker",
                "io.samsa.group-coordinator", "io.samsa.replication", "io.samsa.controller", "io.samsa.protocol-kafka",
                "io.samsa.coordination-zookeeper",
                "io.samsa.storage-filechannel", "org.apache.kafka.clients")) {
            assertTrue(bsn + " not in the resolution " + resolved, resolved.contains(bsn));
        }
    }

    /**
     * The Raft coordinator's feature, installed on top of the start features (as an operator
     * choosing Raft would): Ratis in its merged bundle resolves with nothing else added.
     */
    @Test
    public void theRaftFeatureResolvesWithTheStartFeatures() throws Exception {
        List<File> bundles = startFeatureBundles();
        for (FeatureBundleList.Entry entry : FeatureBundleList.read(samsa.resolve("features/coordination-raft.json"),
                samsa.resolve("bundles"))) {
            bundles.add(entry.jar().toFile());
        }
        Set<String> resolved = resolve(bundles, List.of("io.samsa.coordination-raft"));
        assertTrue("coordination-raft in " + resolved, resolved.contains("io.samsa.coordination-raft"));
        assertTrue("the merged Ratis bundle in " + resolved, resolved.contains("org.apache.ratis"));
    }

    /**
     * The broker as it was when it registered its services by hand: the same bundle without the
     * osgi.service capabilities DS puts in its manifest. The front end's references to them fail.
     */
    @Test
    public void aBrokerThatDeclaresNoServicesDoesNotResolve() throws Exception {
        List<File> bundles = startFeatureBundles();
        File broker = bundles.stream().filter(named("broker-")).findFirst().orElseThrow();
        Path undeclared = Files.createTempDirectory("resolve").resolve(broker.getName());
        try {
            withoutProvidedCapabilities(broker.toPath(), undeclared);
            bundles.set(bundles.indexOf(broker), undeclared.toFile());
            ResolutionException e = assertThrows(ResolutionException.class, () -> resolve(bundles));
            assertTrue(e.getMessage(), e.getMessage().contains("osgi.service"));
            assertTrue(e.getMessage(), e.getMessage().contains("io.samsa.api.broker."));
        } finally {
            Files.deleteIfExists(undeclared);
            Files.delete(undeclared.getParent());
        }
    }

    private static void withoutProvidedCapabilities(Path jar, Path copy) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            assertTrue("the broker declares capabilities", manifest.getMainAttributes().remove(
                    new Attributes.Name("Provide-Capability")) != null);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(copy), manifest)) {
                for (JarEntry entry : Collections.list(in.entries())) {
                    if (entry.getName().equals(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.getInputStream(entry).transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    /** The bundles nothing requires (the shell, FileInstall, the web console) resolve on the same framework too. */
    @Test
    public void everyBundleOfTheStartFeaturesResolves() throws Exception {
        List<File> bundles = startFeatureBundles();
        Set<String> all = new TreeSet<>();
        for (File jar : bundles) {
            try (JarFile in = new JarFile(jar)) {
                all.add(new Parameters(in.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME))
                        .keySet().iterator().next());
            }
        }
        assertEquals(all, resolve(bundles, new ArrayList<>(all)));
    }

    @Test
    public void withoutDeclarativeServicesNoComponentResolves() throws Exception {
        List<File> withoutScr = startFeatureBundles();
        assertTrue(withoutScr.removeIf(named("org.apache.felix.scr-")));
        ResolutionException e = assertThrows(ResolutionException.class, () -> resolve(withoutScr));
        assertTrue(e.getMessage(), e.getMessage().contains("osgi.extender"));
    }

    @Test
    public void theRepositoryIsTheStartFeatures() throws IOException {
        List<File> jars = startFeatureBundles();
        assertTrue("missing jars: " + jars, jars.stream().allMatch(File::isFile));
        assertEquals("storage-mmap is no start feature", 0, jars.stream().filter(named("storage-mmap-")).count());
    }

    private static Predicate<File> named(String prefix) {
        return jar -> jar.getName().startsWith(prefix);
    }
}
