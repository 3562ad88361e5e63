package io.samsa.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.Main;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks with JMH's own command-line options (the annotations hold the short
 * default run) and writes the results as markdown tables in records/s and MB/s to
 * {@code -Dsamsa.bench.results} (default {@code jmh-results.md}). JMH's listing and help options
 * go straight to JMH.
 */
public final class JmhMain {

    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd = new CommandLineOptions(args);
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            Main.main(args);
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd);
        // The forked JVMs must put their logs where this one was told to.
        String dir = System.getProperty("samsa.bench.dir");
        if (dir != null) {
            List<String> append = new ArrayList<>(cmd.getJvmArgsAppend().orElse(List.of()));
            append.add("-Dsamsa.bench.dir=" + dir);
            options.jvmArgsAppend(append.toArray(new String[0]));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        if (results.isEmpty()) {
            System.err.println("No benchmark ran (check the include pattern)");
            System.exit(1);
        }
        Path out = Path.of(System.getProperty("samsa.bench.results", "jmh-results.md"));
        String markdown = ResultsTable.markdown(results, System.getProperty("samsa.bench.command", "JmhMain"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, markdown);
        System.out.println();
        System.out.println(markdown);
        System.out.println("written to " + out);
    }
}
