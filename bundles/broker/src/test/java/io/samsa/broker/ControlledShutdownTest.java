package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.TopicPartition;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.replication.ControllerService;
import io.samsa.testsupport.InMemoryCoordinator;

/** The stopping broker's side of a controlled shutdown: the request it writes and how long it waits. */
public class ControlledShutdownTest {
    private static final String REQUEST = ControllerService.CONTROLLED_SHUTDOWN_PATH + "/7";
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private final InMemoryCoordinator root = new InMemoryCoordinator();
    private final InMemoryCoordinator broker = root.connectAnother();
    private final BrokerSession session = broker.registerBroker(
            new BrokerRegistration(7, "localhost", 9097, Optional.empty(), 0));

    @After
    public void close() {
        session.close();
        broker.close();
        root.close();
    }

    @Test
    public void itRequestsWithItsEpochAndStopsWaitingOnceItLeadsNothing() {
        List<String> seenRequests = new CopyOnWriteArrayList<>();
        // the "controller": leaderships go once the request is there
        List<TopicPartition> led = new CopyOnWriteArrayList<>(List.of(TP));
        root.watch(ControllerService.CONTROLLED_SHUTDOWN_PATH, () -> root.read(REQUEST).ifPresent(v -> {
            seenRequests.add(new String(v.value(), StandardCharsets.UTF_8));
            led.clear();
        }));
        ControlledShutdown handover = new ControlledShutdown(broker, 7, session::epoch, () -> List.copyOf(led), "");
        long started = System.nanoTime();
        assertTrue(handover.run(3, 60_000));
        assertTrue("it stopped waiting as soon as it led nothing",
                System.nanoTime() - started < 30_000_000_000L);
        assertEquals(List.of(Long.toString(session.epoch())), seenRequests.subList(0, 1));
        handover.withdraw();
        assertFalse("withdrawn", root.read(REQUEST).isPresent());
    }

    @Test
    public void itGivesUpAfterItsAttemptsEachWaitingItsBackoff() {
        ControlledShutdown handover = new ControlledShutdown(broker, 7, session::epoch, () -> List.of(TP), "");
        long started = System.nanoTime();
        assertFalse("a leadership that never moves", handover.run(3, 100));
        assertTrue("three attempts of 100 ms each", System.nanoTime() - started >= 300_000_000L);
        assertTrue("the last attempt's request stays until withdrawn", root.read(REQUEST).isPresent());
    }

    @Test
    public void nothingToMoveMeansNoRequest() {
        ControlledShutdown handover = new ControlledShutdown(broker, 7, session::epoch, List::of, "");
        assertTrue(handover.run(3, 60_000));
        assertFalse(root.read(REQUEST).isPresent());
    }

    @Test
    public void theRequestGoesWithTheBrokersSession() {
        new ControlledShutdown(broker, 7, session::epoch, () -> List.of(TP), "").run(1, 0);
        assertTrue(root.read(REQUEST).isPresent());
        broker.close();
        assertFalse("ephemeral: a broker that never comes back leaves no request", root.read(REQUEST).isPresent());
    }
}
