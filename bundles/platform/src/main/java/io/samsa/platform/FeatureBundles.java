package io.samsa.platform;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.feature.FeatureBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs, starts and uninstalls the bundles of a feature. A bundle that fails is reported and
 * skipped: one broken bundle must not keep the others of a feature from running.
 */
final class FeatureBundles {
    /** Feature bundle metadata: the start level of the bundle. */
    static final String START_ORDER = "start-order";

    private static final Logger LOG = LoggerFactory.getLogger(FeatureBundles.class);
    /** Ids of bundles of other features that a removal stopped (see {@link #restartStoppedByRemoval()}). */
    private final Set<Long> stoppedByRemoval = new LinkedHashSet<>();

    /**
     * The installed bundles in feature order; {@code locations} are the ones this install owns
     * (a bundle already installed from elsewhere, e.g. hot-deployed, is used but not owned).
     */
    record Outcome(List<Bundle> bundles, List<String> locations, List<String> failures) {
        boolean containsSymbolicName(String symbolicName) {
            return bundles.stream().anyMatch(b -> symbolicName.equals(b.getSymbolicName()));
        }
    }

    private final BundleContext context;
    private final BundleFiles files;

    FeatureBundles(BundleContext context, BundleFiles files) {
        this.context = context;
        this.files = files;
    }

    Outcome install(List<FeatureBundle> featureBundles) {
        List<Bundle> bundles = new ArrayList<>();
        List<String> locations = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (FeatureBundle featureBundle : featureBundles) {
            try {
                Path jar = files.existingPathOf(featureBundle.getID());
                String location = BundleFiles.locationOf(jar);
                Bundle bundle = context.getBundle(location);
                if (bundle == null) {
                    bundle = installOrFindDuplicate(location, jar);
                }
                if (bundle.getLocation().equals(location)) {
                    locations.add(location);
                }
                Object startOrder = featureBundle.getMetadata().get(START_ORDER);
                if (startOrder instanceof Number && bundle.getState() != Bundle.ACTIVE) {
                    bundle.adapt(BundleStartLevel.class).setStartLevel(((Number) startOrder).intValue());
                }
                bundles.add(bundle);
            } catch (IOException | BundleException | RuntimeException e) {
                failures.add("bundle " + featureBundle.getID() + " not installed: " + e.getMessage());
            }
        }
        return new Outcome(bundles, locations, failures);
    }

    private Bundle installOrFindDuplicate(String location, Path jar) throws BundleException, IOException {
        try {
            return context.installBundle(location);
        } catch (BundleException e) {
            if (e.getType() != BundleException.DUPLICATE_BUNDLE_ERROR) {
                throw e;
            }
            Manifest manifest;
            try (JarFile file = new JarFile(jar.toFile())) {
                manifest = file.getManifest();
            }
            String symbolicName = manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME).split(";")[0].trim();
            Version version = Version.parseVersion(manifest.getMainAttributes().getValue(Constants.BUNDLE_VERSION));
            for (Bundle bundle : context.getBundles()) {
                if (symbolicName.equals(bundle.getSymbolicName()) && version.equals(bundle.getVersion())) {
                    LOG.info("{} {} is already installed from {}; the feature uses that one", symbolicName, version, bundle.getLocation());
                    return bundle;
                }
            }
            throw e;
        }
    }

    /**
     * Starts the bundles in order, honouring lazy activation (fragments are resolved with their
     * host); returns the failures.
     */
    List<String> start(List<Bundle> bundles) {
        List<String> failures = new ArrayList<>();
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                // a lazy bundle (snappy-java) activates at its first use: its native library can be
                // loaded by one class loader per JVM, and most brokers never need snappy
                bundle.start(Bundle.START_ACTIVATION_POLICY);
            } catch (BundleException | RuntimeException e) {
                failures.add("bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + " not started: " + e.getMessage());
            }
        }
        return failures;
    }

    /**
     * Stops and uninstalls the bundles at these locations, last first, then refreshes the
     * framework so that bundles wired to them let go of their classes.
     */
    List<String> uninstall(List<String> locations) throws InterruptedException {
        List<String> failures = new ArrayList<>();
        List<Bundle> removed = new ArrayList<>();
        List<String> reversed = new ArrayList<>(locations);
        Collections.reverse(reversed);
        for (String location : reversed) {
            Bundle bundle = context.getBundle(location);
            if (bundle == null) {
                continue;
            }
            try {
                bundle.stop();
                bundle.uninstall();
                removed.add(bundle);
            } catch (BundleException | RuntimeException e) {
                failures.add("bundle " + bundle.getSymbolicName() + " not uninstalled: " + e.getMessage());
            }
        }
        if (!removed.isEmpty()) {
            List<Bundle> activeBefore = new ArrayList<>();
            for (Bundle bundle : context.getBundles()) {
                if (bundle.getState() == Bundle.ACTIVE && !removed.contains(bundle)) {
                    activeBefore.add(bundle);
                }
            }
            CountDownLatch refreshed = new CountDownLatch(1);
            context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                    .refreshBundles(removed, event -> refreshed.countDown());
            if (!refreshed.await(60, TimeUnit.SECONDS)) {
                failures.add("package refresh did not finish within 60 s");
            }
            for (Bundle bundle : activeBefore) {
                if (bundle.getState() != Bundle.ACTIVE && bundle.getState() != Bundle.UNINSTALLED) {
                    stoppedByRemoval.add(bundle.getBundleId());
                    LOG.warn("Bundle {} stopped: it needs a bundle just removed; it starts again once a feature"
                            + " providing that is installed", bundle.getSymbolicName());
                }
            }
        }
        return failures;
    }

    /**
     * Starts again the bundles a removal stopped (a bundle of another feature wired to one
     * removed, e.g. the Kafka console pages when the web console goes), now that a feature was
     * installed which may provide what they need. One that still cannot start waits for the next.
     */
    List<String> restartStoppedByRemoval() {
        List<String> started = new ArrayList<>();
        for (Long id : List.copyOf(stoppedByRemoval)) {
            Bundle bundle = context.getBundle(id);
            if (bundle == null || bundle.getState() == Bundle.ACTIVE) {
                stoppedByRemoval.remove(id);
                continue;
            }
            try {
                bundle.start(Bundle.START_ACTIVATION_POLICY);
                stoppedByRemoval.remove(id);
                started.add(bundle.getSymbolicName());
            } catch (BundleException | RuntimeException e) {
                LOG.debug("Bundle {} still cannot start: {}", bundle.getSymbolicName(), e.getMessage());
            }
        }
        return started;
    }
}
