package io.samsa.bench;

/** The help text and the reading notes written under the tables. */
final class Usage {
    private Usage() {
    }

    static final String TEXT = """
            Usage: bench/run.sh [options]

            Benchmarks Apache Kafka 4.4.0 (KRaft, single node) and then Samsa (bin/broker) on this machine
            with Apache Kafka's ProducerPerformance / ConsumerPerformance, one broker at a time, and prints
            one comparison table per Samsa storage engine (also bench/target/results.md and results.tsv).

            Modes (default: the standard comparison):
              --connection-scale   hold --connections idle client connections and --long-polls long-polling
                                   fetchers open against each broker, run the produce/consume workload and
                                   the fixed-rate run on top; reports threads, RSS, CPU, p99
                                   (bench/target/scale-results.md)
              --swap N             Samsa alone with both engines: an idempotent acks=all producer at a fixed
                                   rate, once undisturbed and once while the engine is swapped N times
                                   through the hot-deploy folder (bench/target/swap-results.md)
              --big-log GB         Samsa alone with -Xmx512m: GB GiB into one partition, all consumed back;
                                   peak RSS, live heap, success (bench/target/big-log-results.md)

            Options:
              --records N          records per measured produce run (default 2000000; 1 KiB runs a quarter)
              --quick              --records 300000 and a 10 s fixed-rate run
              --warmup N           records of the discarded warm-up run (default records/10, >= 20000)
              --record-size B      record size of the standard runs (default 100)
              --heap SIZE          broker heap, -Xms and -Xmx for both brokers (default 1g)
              --engine E           filechannel, mmap or both (default both: Samsa once per engine)
              --latency-rate R     records/s of the fixed-rate acks=all runs (default 20000)
              --latency-records N  records of each fixed-rate run (default 20 s worth, 10 s with --quick)
              --segment-bytes B    segment.bytes of the rolling-segments run's topic (default 16777216)
              --consume-runs N     measured consume runs per broker, median shown (default 5)
              --connections N      idle connections of --connection-scale (default 10000)
              --long-polls N       long-polling fetch connections of --connection-scale (default 500)
              --swap-rate R        records/s of the swap runs (default 20000)
              --big-log-heap SIZE  -Xmx for the heap check (default 512m)
              --big-log-record-size B  record size of the heap check (default 1024)
              --kafka-only         only Apache Kafka
              --samsa-only         only Samsa
              --kafka-as-samsa     run Apache Kafka in Samsa's place too: ratios near 1.0 show the noise
              --no-build           use runtime/target/samsa as it is
              --samsa-prop K=V     extra line for Samsa's server.properties (repeatable)
              --samsa-launcher F   run Samsa as 'F server.properties' (default bin/broker)
              --kafka-port P       first Kafka client port to try (default 19092)
              --samsa-port P       first Samsa client port to try (default 29092)
              --samsa-zk-port P    first Samsa embedded ZooKeeper port to try (default 22181)
              --start-timeout S    seconds a broker may take to start (default 120)
              --run-timeout S      seconds one perf-tool run may take (default 300)
              --keep               keep bench/target/work (configurations, data, logs, tool output)
              -h, --help           this help
            """;

    static final String READING = """
            Ratios are Samsa/Kafka: above 1 is better for throughput, worse for latency, CPU, threads and RSS.
            Consume throughput excludes the consumer group join (fetch.* columns of ConsumerPerformance).
            Broker CPU: the broker JVM's user + system time (/proc/<pid>/stat); "whole workload" is from ready to
            the end of the last scenario, "per consume run" is the median measured run.
            Compare Kafka and Samsa only within one run: the machine is shared and numbers move between runs.
            """;
}
