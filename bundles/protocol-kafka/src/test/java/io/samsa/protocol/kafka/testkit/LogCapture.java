package io.samsa.protocol.kafka.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Captures what slf4j-simple writes to System.err while open. */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public LogCapture() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    public synchronized String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** The captured lines containing every one of {@code parts}. */
    public List<String> linesWith(String... parts) {
        return text().lines().filter(l -> {
            for (String part : parts) {
                if (!l.contains(part)) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
        original.print(text());
    }
}
