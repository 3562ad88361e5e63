package io.samsa.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux says about one process, read from {@code /proc/<pid>/status} and {@code stat}. A
 * process that is gone reads as {@link Sample#GONE}, so a sampler racing a dying broker never throws.
 */
public final class ProcessInfo {

    /** The kernel's clock tick for utime/stime; 100 on every Linux this runs on. */
    static final int CLOCK_TICKS_PER_SECOND = 100;

    /**
     * One reading.
     *
     * @param rssKb      VmRSS
     * @param rssAnonKb  RssAnon (heap, metaspace, direct buffers, stacks)
     * @param rssFileKb  RssFile (mapped files)
     * @param hwmKb      VmHWM, the kernel's own peak RSS
     * @param threads    Threads
     * @param cpuTicks   utime + stime in clock ticks
     */
    public record Sample(long rssKb, long rssAnonKb, long rssFileKb, long hwmKb, int threads, long cpuTicks) {
        public static final Sample GONE = new Sample(-1, -1, -1, -1, -1, -1);

        public boolean gone() {
            return threads < 0;
        }

        public double cpuSeconds() {
            return cpuTicks / (double) CLOCK_TICKS_PER_SECOND;
        }
    }

    private ProcessInfo() {
    }

    public static Sample sample(long pid) {
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII);
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            return new Sample(statusField(status, "VmRSS:"), statusField(status, "RssAnon:"),
                    statusField(status, "RssFile:"), statusField(status, "VmHWM:"),
                    (int) statusField(status, "Threads:"), cpuTicks(stat));
        } catch (IOException | RuntimeException gone) {
            return Sample.GONE;
        }
    }

    /** The JVM's command line as it really ran, for the results (heap flags are checked against it). */
    public static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException gone) {
            return "";
        }
    }

    static long statusField(String status, String key) {
        int at = status.indexOf(key);
        if (at < 0) {
            return -1;
        }
        int i = at + key.length();
        while (i < status.length() && !Character.isDigit(status.charAt(i))) {
            i++;
        }
        long value = 0;
        while (i < status.length() && Character.isDigit(status.charAt(i))) {
            value = value * 10 + (status.charAt(i++) - '0');
        }
        return value;
    }

    /**
     * Fields 14 and 15 of {@code stat}. The command name (field 2) may contain spaces and
     * parentheses, so counting starts after its closing parenthesis.
     */
    static long cpuTicks(String stat) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // rest[0] is field 3 (state), so field n is rest[n - 3]
        return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
    }
}
