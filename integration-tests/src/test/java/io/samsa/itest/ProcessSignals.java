package io.samsa.itest;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * POSIX signals the JDK cannot send: {@link Process} only offers SIGTERM and SIGKILL, and a
 * paused process (SIGSTOP) is the fault that looks like a long GC pause or a frozen VM.
 */
final class ProcessSignals {

    private ProcessSignals() {
    }

    /** SIGSTOP: the process keeps its sockets and its state but runs no instruction until resumed. */
    static void pause(long pid) {
        send("STOP", pid);
    }

    /** SIGCONT: a paused process runs on, unaware that time passed. */
    static void resume(long pid) {
        send("CONT", pid);
    }

    private static void send(String signal, long pid) {
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing to send SIG" + signal + " to pid " + pid
                    + ": only processes a test started are signalled");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + pid + " did not return within 10 s");
            }
            if (kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed (exit " + kill.exitValue()
                        + "): " + output.trim() + "; has the process already exited?");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal + " " + pid + ": is /bin/kill on the PATH?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + pid, e);
        }
    }
}
