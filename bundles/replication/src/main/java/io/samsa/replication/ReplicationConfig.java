package io.samsa.replication;

import java.util.Optional;

/**
 * The replication settings, Kafka's keys and defaults.
 *
 * @param replicaLagTimeMaxMs          {@code replica.lag.time.max.ms}: an ISR member that has not caught up for
 *                                     this long leaves the ISR
 * @param replicaFetchWaitMaxMs        {@code replica.fetch.wait.max.ms}: how long a leader may hold a fetch
 * @param replicaFetchMinBytes         {@code replica.fetch.min.bytes}
 * @param replicaFetchMaxBytes         {@code replica.fetch.max.bytes}: per partition
 * @param replicaFetchResponseMaxBytes {@code replica.fetch.response.max.bytes}: per response
 * @param replicaFetchBackoffMs        {@code replica.fetch.backoff.ms}: after a fetch error
 * @param replicaSocketTimeoutMs       {@code replica.socket.timeout.ms}: connect and read timeout
 * @param numReplicaFetchers           {@code num.replica.fetchers}: fetcher threads per source broker
 * @param interBrokerListenerName      {@code inter.broker.listener.name}; empty: the leader's PLAINTEXT
 *                                     listener, else its first
 */
record ReplicationConfig(long replicaLagTimeMaxMs, int replicaFetchWaitMaxMs, int replicaFetchMinBytes,
        int replicaFetchMaxBytes, int replicaFetchResponseMaxBytes, int replicaFetchBackoffMs,
        int replicaSocketTimeoutMs, int numReplicaFetchers, Optional<String> interBrokerListenerName) {

    static final ReplicationConfig DEFAULTS = new ReplicationConfig(30_000, 500, 1, 1_048_576, 10_485_760, 1000,
            30_000, 1, Optional.empty());

    ReplicationConfig {
        positive("replica.lag.time.max.ms", replicaLagTimeMaxMs);
        atLeast("replica.fetch.wait.max.ms", replicaFetchWaitMaxMs, 0);
        atLeast("replica.fetch.min.bytes", replicaFetchMinBytes, 0);
        positive("replica.fetch.max.bytes", replicaFetchMaxBytes);
        positive("replica.fetch.response.max.bytes", replicaFetchResponseMaxBytes);
        atLeast("replica.fetch.backoff.ms", replicaFetchBackoffMs, 0);
        positive("replica.socket.timeout.ms", replicaSocketTimeoutMs);
        positive("num.replica.fetchers", numReplicaFetchers);
        if (replicaSocketTimeoutMs < replicaFetchWaitMaxMs) {
            // Kafka refuses it too: every fetch the leader holds would time out the socket.
            throw new IllegalArgumentException("replica.socket.timeout.ms (" + replicaSocketTimeoutMs
                    + ") must be at least replica.fetch.wait.max.ms (" + replicaFetchWaitMaxMs + ")");
        }
        interBrokerListenerName = interBrokerListenerName.map(String::trim).filter(s -> !s.isEmpty());
    }

    private static void positive(String key, long value) {
        atLeast(key, value, 1);
    }

    private static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", not " + value);
        }
    }

    static ReplicationConfig from(ReplicationEngineComponent.Config c) {
        return new ReplicationConfig(c.replica_lag_time_max_ms(), c.replica_fetch_wait_max_ms(),
                c.replica_fetch_min_bytes(), c.replica_fetch_max_bytes(), c.replica_fetch_response_max_bytes(),
                c.replica_fetch_backoff_ms(), c.replica_socket_timeout_ms(), c.num_replica_fetchers(),
                Optional.ofNullable(c.inter_broker_listener_name()));
    }
}
