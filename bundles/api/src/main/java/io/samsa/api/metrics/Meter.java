package io.samsa.api.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts events (Kafka's {@code ...PerSec} meters). Marking adds to a {@link LongAdder}: no
 * allocation, no contention between the threads that mark. The rates are the reader's business.
 */
public final class Meter {

    private final String eventType;
    private final LongAdder count = new LongAdder();

    /** @param eventType what is counted, as Kafka names it ("messages", "bytes", "requests", "shrinks") */
    public Meter(String eventType) {
        if (eventType == null || eventType.isEmpty()) {
            throw new IllegalArgumentException("A meter needs an event type");
        }
        this.eventType = eventType;
    }

    public void mark() {
        count.increment();
    }

    public void mark(long events) {
        count.add(events);
    }

    public long count() {
        return count.sum();
    }

    public String eventType() {
        return eventType;
    }
}
