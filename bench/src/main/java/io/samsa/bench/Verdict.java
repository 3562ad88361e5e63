package io.samsa.bench;

import java.util.Optional;

/** A target checked against the results: one line saying whether Samsa meets it, or nothing if unmeasured. */
@FunctionalInterface
public interface Verdict {

    Optional<String> judge(Results.BrokerResults kafka, Results.BrokerResults samsa);

    static String word(boolean meets) {
        return meets ? "**meets**" : "**misses**";
    }
}
