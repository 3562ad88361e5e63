package io.samsa.api.coordination;

/** A registered watch; closing it stops the callbacks. */
public interface Watch extends AutoCloseable {
    @Override
    void close();
}
