package io.samsa.broker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Op;
import io.samsa.api.replication.ControllerService;

/**
 * Kafka's controlled shutdown: before a broker stops, it asks the controller to move its
 * leaderships to other in-sync replicas, and waits (bounded) until it leads nothing that could
 * move, so that its clients see leadership changes (retriable) instead of a dead leader until its
 * session expires. The request is an ephemeral node under
 * {@link ControllerService#CONTROLLED_SHUTDOWN_PATH} naming the broker's epoch, which the
 * controller watches; it goes with the broker's session, so a broker that never returns leaves
 * nothing behind.
 * <p>
 * The wait works whichever broker is the controller, this one included: the controller decides on
 * its own thread, and if it is stopped first another broker's controller takes the request over.
 */
final class ControlledShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(ControlledShutdown.class);
    private static final long POLL_MS = 20;

    private final Coordinator coordinator;
    private final int brokerId;
    private final LongSupplier brokerEpoch;
    private final Supplier<List<TopicPartition>> movableLeaderships;
    private final String prefix;

    /**
     * @param movableLeaderships the partitions this broker leads that another in-sync replica
     *                           could lead (a partition in sync on this broker alone has nowhere to go)
     */
    ControlledShutdown(Coordinator coordinator, int brokerId, LongSupplier brokerEpoch,
            Supplier<List<TopicPartition>> movableLeaderships, String prefix) {
        this.coordinator = coordinator;
        this.brokerId = brokerId;
        this.brokerEpoch = brokerEpoch;
        this.movableLeaderships = movableLeaderships;
        this.prefix = prefix;
    }

    private String requestPath() {
        return ControllerService.CONTROLLED_SHUTDOWN_PATH + "/" + brokerId;
    }

    /**
     * Asks for the controlled shutdown and waits up to {@code attempts} × {@code backoffMs} for
     * the leaderships to move, asking again after each attempt that left some.
     *
     * @return whether this broker leads nothing movable any more
     */
    boolean run(int attempts, long backoffMs) {
        List<TopicPartition> led = movableLeaderships.get();
        if (led.isEmpty()) {
            LOG.info("{}controlled shutdown: leads no partition another replica could take over", prefix);
            return true;
        }
        LOG.info("{}starting controlled shutdown: moving the leaderships of {} partitions", prefix, led.size());
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                request();
            } catch (CoordinationException | UnsupportedOperationException e) {
                LOG.warn("{}controlled shutdown attempt {} of {} could not reach the controller: {}", prefix,
                        attempt, attempts, e.getMessage());
            }
            long deadline = System.nanoTime() + backoffMs * 1_000_000;
            while ((led = movableLeaderships.get()).isEmpty() == false && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    LOG.warn("{}controlled shutdown interrupted while leading {}", prefix, led);
                    return false;
                }
            }
            if (led.isEmpty()) {
                LOG.info("{}controlled shutdown succeeded: this broker leads no partition another replica could"
                        + " take over", prefix);
                return true;
            }
            LOG.info("{}controlled shutdown attempt {} of {}: still leading {}", prefix, attempt, attempts, led);
        }
        LOG.warn("{}controlled shutdown gave up after {} attempts; stopping while leading {}", prefix, attempts, led);
        return false;
    }

    /** (Re-)creates the request node with the current broker epoch. */
    private void request() {
        String path = requestPath();
        // a request of an earlier attempt (or registration) is replaced, so the watch fires again
        coordinator.delete(path, Coordinator.ANY_VERSION);
        byte[] epoch = Long.toString(brokerEpoch.getAsLong()).getBytes(StandardCharsets.UTF_8);
        coordinator.transact(List.of(new Op.Create(path, epoch, true)));
    }

    /** Removes the request, so that a broker staying registered (a restart in one process) is not moved again. */
    void withdraw() {
        try {
            coordinator.delete(requestPath(), Coordinator.ANY_VERSION);
        } catch (CoordinationException | UnsupportedOperationException e) {
            LOG.debug("{}withdrawing the controlled shutdown request failed: {}", prefix, e.getMessage());
        }
    }
}
