package io.samsa.platform;

import java.util.Arrays;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code samsa:features}, {@code samsa:feature-install <name>...} and
 * {@code samsa:feature-remove <name>...}.
 *
 * <p>Gogo finds a command's method by the function name, and a Java method name cannot hold a
 * hyphen; so all three go to Gogo's catch-all {@code _main}, which receives the function name
 * as its first argument.
 */
@Component(service = FeatureCommands.class, property = {
    "osgi.command.scope=samsa",
    "osgi.command.function=features",
    "osgi.command.function=feature-install",
    "osgi.command.function=feature-remove"})
public class FeatureCommands {
    private final FeatureInstaller installer;

    @Activate
    public FeatureCommands(@Reference FeatureInstaller installer) {
        this.installer = installer;
    }

    public String _main(String... argv) throws Exception {
        String function = argv.length == 0 ? "" : argv[0].substring(argv[0].indexOf(':') + 1);
        List<String> names = Arrays.asList(argv).subList(Math.min(1, argv.length), argv.length);
        switch (function) {
            case "features":
                return features();
            case "feature-install":
            case "feature-remove":
                if (names.isEmpty()) {
                    return "usage: samsa:" + function + " <feature>...   (samsa:features lists them)";
                }
                StringBuilder out = new StringBuilder();
                for (String name : names) {
                    out.append(function.equals("feature-install") ? installer.install(name) : installer.remove(name))
                            .append(System.lineSeparator());
                }
                return out.toString();
            default:
                throw new IllegalArgumentException("unknown command " + function);
        }
    }

    private String features() throws Exception {
        StringBuilder out = new StringBuilder(String.format("%-26s %-10s %s%n", "FEATURE", "STATE", "NAME"));
        for (FeatureInstaller.FeatureStatus feature : installer.features()) {
            out.append(String.format("%-26s %-10s %s%n", feature.name(), feature.installed() ? "installed" : "available", feature.title()));
        }
        return out.toString();
    }
}
