package io.samsa.coordination.zookeeper;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.testsupport.CoordinatorContractTest.SessionEvents;
import io.samsa.testsupport.Poll;

/**
 * The broker session lease on a real ZooKeeper server: renewed while the server answers, never
 * promising more than two thirds of the session timeout, and over before the server can expire
 * the session of a process that fell silent, as a paused one does.
 */
public class SessionLeaseTest extends EmbeddedServerTestBase {
    private static final long TWO_THIRDS_NANOS = TimeUnit.MILLISECONDS.toNanos(SESSION_TIMEOUT_MS) * 2 / 3;

    private static BrokerRegistration broker(int id) {
        return new BrokerRegistration(id, "127.0.0.1", 9092, Optional.empty(), 0);
    }

    @Test
    public void theLeaseIsRenewedWhileTheServerAnswersAndPromisesNoMoreThanTwoThirdsOfTheTimeout() {
        BrokerSession broker = coordinator().registerBroker(broker(1));
        assertTrue("the registration's own answer starts the lease", broker.holdsLease());
        long first = broker.leaseValidUntilNanos();
        assertTrue(first - System.nanoTime() <= TWO_THIRDS_NANOS);
        Poll.until("a heartbeat extends the lease", () -> broker.leaseValidUntilNanos() - first > 0);
        assertTrue(broker.leaseValidUntilNanos() - System.nanoTime() <= TWO_THIRDS_NANOS);
        broker.close();
        assertFalse("a closed registration holds no lease", broker.holdsLease());
    }

    @Test
    public void aSilencedProcessLosesItsLeaseBeforeAnyoneCanLearnItsSessionIsGone() throws Exception {
        try (FreezableProxy proxy = new FreezableProxy(ZOOKEEPER.connectString())) {
            ZooKeeperCoordinator paused = coordinator(proxy.connectString() + chroot);
            ZooKeeperCoordinator observer = coordinator();
            BrokerSession broker = paused.registerBroker(broker(2));
            SessionEvents recorder = new SessionEvents();
            broker.addListener(recorder);
            List<String> events = recorder.events;
            long firstEpoch = broker.epoch();
            Poll.until("the first registration is reported", () -> events.contains("registered " + firstEpoch));

            // Stands for SIGSTOP: no byte reaches the server, and the thread that renews the lease
            // and handles session events is stuck, so the process learns nothing.
            CountDownLatch resume = new CountDownLatch(1);
            paused.session().control().execute(() -> {
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            proxy.freeze();
            long frozenAt = System.nanoTime();
            assertTrue("the lease reaches no further than the last answered request proves",
                    broker.leaseValidUntilNanos() - frozenAt <= TWO_THIRDS_NANOS);

            Poll.until(Duration.ofMillis(4L * SESSION_TIMEOUT_MS),
                    () -> observer.liveBrokers().stream().noneMatch(b -> b.brokerId() == 2),
                    "the server expires the silent session and the observer sees broker 2 gone");
            long goneAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
            assertFalse("when another broker learns broker 2 is gone (after " + goneAfterMs
                    + " ms), broker 2's lease is over", broker.holdsLease());
            assertTrue("the server waited a whole session timeout (" + goneAfterMs + " ms)",
                    goneAfterMs >= SESSION_TIMEOUT_MS / 2);

            resume.countDown();
            proxy.thaw();
            assertFalse("resumed, it holds no lease before it has handled any event", broker.holdsLease());
            Poll.until("registered again in a new session: " + events,
                    () -> broker.epoch() > firstEpoch && broker.holdsLease()
                            && events.contains("registered " + broker.epoch()));
            assertTrue("the expiry was reported first: " + events, events.indexOf("expired") > 0
                    && events.indexOf("expired") < events.indexOf("registered " + broker.epoch()));
            Poll.until("the observer sees the new registration", () -> observer.liveBrokers().stream()
                    .anyMatch(b -> b.brokerId() == 2 && b.epoch() == broker.epoch()));
            paused.close(); // while the proxy still passes its goodbye
        }
    }
}
