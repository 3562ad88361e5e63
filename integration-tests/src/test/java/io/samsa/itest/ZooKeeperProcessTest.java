package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

/** The class path ZooKeeper is run with, found in (or missing from) a bundles directory. */
public class ZooKeeperProcessTest {

    @Test
    public void classPathHasEveryJarTheServerNeeds() throws Exception {
        Path dir = SamsaOsgiTestSupport.tempDir("zk-cp");
        for (String jar : List.of("zookeeper-osgi-0.1.0.jar", "slf4j-api-2.0.17.jar", "slf4j-simple-2.0.17.jar",
                "snappy-java-1.1.10.7.jar", "unrelated-1.0.jar")) {
            Files.createFile(dir.resolve(jar));
        }
        List<Path> cp = ZooKeeperProcess.classPath(dir);
        assertEquals(4, cp.size());
        assertTrue(cp.toString(), cp.stream().noneMatch(p -> p.getFileName().toString().startsWith("unrelated")));
    }

    @Test
    public void missingJarsAreNamed() throws Exception {
        Path dir = SamsaOsgiTestSupport.tempDir("zk-cp-missing");
        Files.createFile(dir.resolve("zookeeper-osgi-0.1.0.jar"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ZooKeeperProcess.classPath(dir));
        assertTrue(e.getMessage(), e.getMessage().contains("slf4j-api-*.jar"));
        assertTrue(e.getMessage(), e.getMessage().contains("snappy-java-*.jar"));
        assertTrue(e.getMessage(), e.getMessage().contains(dir.toString()));
    }

    @Test
    public void noBundlesDirectoryIsNamed() {
        Path dir = Path.of("/nonexistent/samsa/bundles");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ZooKeeperProcess.classPath(dir));
        assertTrue(e.getMessage(), e.getMessage().contains("build the runtime"));
    }
}
