package io.samsa.protocol.kafka.network;

/**
 * When the request in flight on a connection reached each stage of Kafka's request pipeline,
 * in {@link System#nanoTime()}: read off the socket, taken by a handler thread, done with its
 * local work, answered, taken back by the network thread. One per connection, reused for each of
 * its requests (a connection has one in flight), so timing a request allocates nothing. Stages
 * are written by different threads; the hand-over of the reply orders them for the reader.
 */
public final class RequestTimes {

    volatile long receivedNanos;
    volatile long dequeuedNanos;
    volatile long localDoneNanos = -1;
    volatile long completedNanos;
    volatile long responseDequeuedNanos;
    private volatile Object kind;
    private volatile short version;

    /** Says what the request is, for whoever records its times; unset requests are not recorded. */
    public void kind(Object kind, short version) {
        this.kind = kind;
        this.version = version;
    }

    public Object kind() {
        return kind;
    }

    public short version() {
        return version;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    public long dequeuedNanos() {
        return dequeuedNanos;
    }

    /** When the handler's own work ended; the answer may come later, from a purgatory or a replica. */
    public long localDoneNanos() {
        return localDoneNanos < 0 ? completedNanos : localDoneNanos;
    }

    public long completedNanos() {
        return completedNanos;
    }

    public long responseDequeuedNanos() {
        return responseDequeuedNanos;
    }

    void received(long now) {
        receivedNanos = now;
        dequeuedNanos = now;
        localDoneNanos = -1;
        completedNanos = now;
        responseDequeuedNanos = now;
        kind = null;
    }

    void localDone(long now) {
        if (localDoneNanos < 0) {
            localDoneNanos = now;
        }
    }

    void completed(long now) {
        completedNanos = now;
        // Answered before the handler returned: its local work ran until now.
        localDone(now);
    }
}
