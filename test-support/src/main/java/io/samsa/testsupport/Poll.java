package io.samsa.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one way tests wait: poll a condition until it holds or a deadline passes, then fail naming
 * what was awaited. No test sleeps a fixed time.
 */
public final class Poll {
    /** The deadline of {@link #until(String, BooleanSupplier)}: generous, for a loaded 2-core machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    private static final long PAUSE_MS = 10;

    private Poll() {
    }

    /** Waits up to {@link #DEFAULT_TIMEOUT} until {@code condition} holds. */
    public static void until(String whatWeWaitFor, BooleanSupplier condition) {
        until(DEFAULT_TIMEOUT, condition, whatWeWaitFor);
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws AssertionError naming {@code whatWeWaitFor} when {@code timeout} passes first
     */
    public static void until(Duration timeout, BooleanSupplier condition, String whatWeWaitFor) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting until " + whatWeWaitFor);
            }
            try {
                Thread.sleep(PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting until " + whatWeWaitFor, e);
            }
        }
    }
}
