package io.samsa.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Test;

import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.coordination.BrokerSession;
import io.samsa.api.coordination.CoordinationException;
import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;
import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.coordination.Watch;

/**
 * What every {@link Coordinator} promises, run against each implementation by a subclass that
 * says how to open sessions of one cluster and how to break them. A session stands for one
 * broker process; the subclass gives every test a fresh, empty cluster (or namespace).
 */
public abstract class CoordinatorContractTest {

    private final List<Coordinator> sessions = new ArrayList<>();

    /** A new session of this test's cluster, as another broker process would open. */
    protected abstract Coordinator openSession();

    /** Ends {@code session} as a cleanly stopping process does. */
    protected abstract void closeSession(Coordinator session);

    /**
     * Makes {@code session}'s session expire for real (as a long pause would), and returns once
     * the coordinator has noticed and is working in a new session.
     */
    protected abstract void expireSession(Coordinator session) throws Exception;

    /**
     * Drops {@code session}'s connection without ending its session; the coordinator reconnects
     * by itself. Returns at once.
     */
    protected abstract void dropConnection(Coordinator session) throws Exception;

    /** A session closed after the test. */
    protected final Coordinator session() {
        Coordinator c = openSession();
        sessions.add(c);
        return c;
    }

    @After
    public final void closeSessions() {
        for (Coordinator c : sessions) {
            closeSession(c);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static String text(Optional<Versioned> v) {
        return v.map(x -> new String(x.value(), UTF_8)).orElse("<absent>");
    }

    private static BrokerRegistration broker(int id) {
        return new BrokerRegistration(id, "host-" + id, 9090 + id, Optional.of("rack-" + id), 0);
    }

    private static List<Integer> liveIds(Coordinator c) {
        return c.liveBrokers().stream().map(BrokerRegistration::brokerId).toList();
    }

    /** Election events as "elected N" and "resigned", in order. */
    protected static final class Recorder implements ElectionListener {
        public final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void elected(int epoch) {
            events.add("elected " + epoch);
        }

        @Override
        public void resigned() {
            events.add("resigned");
        }

        public boolean isController() {
            return !events.isEmpty() && events.get(events.size() - 1).startsWith("elected ");
        }

        public int lastEpoch() {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i).startsWith("elected ")) {
                    return Integer.parseInt(events.get(i).substring("elected ".length()));
                }
            }
            return -1;
        }

        public List<Integer> epochs() {
            return events.stream().filter(e -> e.startsWith("elected "))
                    .map(e -> Integer.parseInt(e.substring("elected ".length()))).toList();
        }
    }

    // --- the versioned tree ---

    @Test
    public void createOnlyWhenAbsentAndWithParents() {
        Coordinator c = session();
        assertEquals(0, c.compareAndSet("/a/b/c", bytes("one"), Coordinator.ABSENT));
        assertEquals("one", text(c.read("/a/b/c")));
        assertEquals(List.of("b"), c.children("/a"));
        assertTrue("parents exist", c.read("/a/b").isPresent());

        assertEquals(-1, c.compareAndSet("/a/b/c", bytes("one"), Coordinator.ABSENT));
        assertEquals(-1, c.compareAndSet("/a/b/c", bytes("two"), Coordinator.ABSENT));
        assertEquals("one", text(c.read("/a/b/c")));
        assertEquals(0, c.read("/a/b/c").orElseThrow().version());
        assertEquals(Optional.empty(), c.read("/a/b/missing"));
    }

    @Test
    public void writesBumpTheVersionAndStaleVersionsConflict() {
        Coordinator c = session();
        Coordinator other = session();
        c.compareAndSet("/v", bytes("v0"), Coordinator.ABSENT);
        assertEquals(1, c.compareAndSet("/v", bytes("v1"), 0));
        assertEquals("the other session sees the write", 1, other.read("/v").orElseThrow().version());
        assertEquals(2, other.compareAndSet("/v", bytes("v2"), 1));
        assertEquals("a writer with a stale version loses", -1, c.compareAndSet("/v", bytes("stale"), 1));
        assertEquals("even writing the same bytes", -1, c.compareAndSet("/v", bytes("v2"), 1));
        Versioned now = c.read("/v").orElseThrow();
        assertArrayEquals(bytes("v2"), now.value());
        assertEquals(2, now.version());

        assertEquals("a version on a missing path is a failed condition", -1, c.compareAndSet("/nope", bytes("x"), 0));
        assertEquals(Optional.empty(), c.read("/nope"));
        assertThrows(IllegalArgumentException.class, () -> c.compareAndSet("/v", bytes("x"), Coordinator.ANY_VERSION));
    }

    @Test
    public void concurrentWritersAtOneVersionHaveExactlyOneWinner() throws Exception {
        Coordinator a = session();
        Coordinator b = session();
        a.compareAndSet("/race", bytes("0"), Coordinator.ABSENT);
        for (int round = 0; round < 20; round++) {
            int version = round;
            AtomicInteger wins = new AtomicInteger();
            Thread t = new Thread(() -> {
                if (b.compareAndSet("/race", bytes("b" + version), version) >= 0) {
                    wins.incrementAndGet();
                }
            });
            t.start();
            if (a.compareAndSet("/race", bytes("a" + version), version) >= 0) {
                wins.incrementAndGet();
            }
            t.join();
            assertEquals("round " + round, 1, wins.get());
            assertEquals(round + 1, a.read("/race").orElseThrow().version());
        }
    }

    @Test
    public void childrenAreSortedNamesAndEmptyForLeavesAndMissingPaths() {
        Coordinator c = session();
        for (String name : List.of("b", "c", "a")) {
            c.compareAndSet("/p/" + name, new byte[0], Coordinator.ABSENT);
        }
        c.compareAndSet("/p/a/deeper", new byte[0], Coordinator.ABSENT);
        assertEquals(List.of("a", "b", "c"), c.children("/p"));
        assertEquals(List.of(), c.children("/p/b"));
        assertEquals(List.of(), c.children("/missing"));
        assertTrue(c.children("/").contains("p"));
    }

    @Test
    public void deleteRemovesTheWholeSubtreeOnlyAtTheExpectedVersion() {
        Coordinator c = session();
        c.compareAndSet("/t/x/y", bytes("y"), Coordinator.ABSENT);
        c.compareAndSet("/t/z", bytes("z"), Coordinator.ABSENT);
        c.compareAndSet("/t", bytes("t1"), 0);

        assertFalse("wrong version", c.delete("/t", 0));
        assertEquals("a failed delete removes nothing", List.of("x", "z"), c.children("/t"));
        assertEquals("y", text(c.read("/t/x/y")));

        assertTrue(c.delete("/t", 1));
        assertEquals(Optional.empty(), c.read("/t"));
        assertEquals(Optional.empty(), c.read("/t/x/y"));
        assertFalse("already gone", c.delete("/t", Coordinator.ANY_VERSION));
        assertEquals("the path can be created afresh", 0, c.compareAndSet("/t", bytes("new"), Coordinator.ABSENT));
        assertThrows(IllegalArgumentException.class, () -> c.delete("/", Coordinator.ANY_VERSION));
    }

    // --- broker registration and liveness ---

    @Test
    public void aBrokerIsLiveWhileItsSessionLastsWithGrowingEpochs() {
        Coordinator first = session();
        Coordinator observer = session();
        BrokerSession one = first.registerBroker(broker(1));
        BrokerSession two = first.registerBroker(broker(2));
        assertTrue(one.epoch() > 0);
        assertTrue("later registrations get larger epochs", two.epoch() > one.epoch());
        assertEquals(List.of(new BrokerRegistration(1, "host-1", 9091, Optional.of("rack-1"), one.epoch()),
                new BrokerRegistration(2, "host-2", 9092, Optional.of("rack-2"), two.epoch())), observer.liveBrokers());

        two.close();
        assertEquals(List.of(1), liveIds(observer));

        closeSession(first);
        Poll.until("broker 1 is gone with its session", () -> liveIds(observer).isEmpty());
        BrokerSession again = observer.registerBroker(broker(1));
        assertTrue("a new registration has a larger epoch", again.epoch() > two.epoch());
    }

    @Test
    public void aBrokerIdHeldByAnotherLiveSessionIsRefused() {
        Coordinator first = session();
        Coordinator second = session();
        first.registerBroker(broker(7));
        CoordinationException e = assertThrows(CoordinationException.class, () -> second.registerBroker(broker(7)));
        assertTrue(e.getMessage(), e.getMessage().contains("7"));
        assertThrows(CoordinationException.class, () -> first.registerBroker(broker(7)));
        assertEquals(List.of(7), liveIds(second));
        assertEquals("host-7", second.liveBrokers().get(0).host());
        assertThrows(IllegalArgumentException.class, () -> second.registerBroker(broker(-1)));
    }

    @Test
    public void sessionExpiryUnregistersThenRegistersAgainWithALargerEpoch() throws Exception {
        Coordinator c = session();
        Coordinator observer = session();
        BrokerSession registration = c.registerBroker(broker(5));
        long before = registration.epoch();

        expireSession(c);

        Poll.until("broker 5 is registered again", () -> registration.epoch() > before
                && liveIds(observer).equals(List.of(5)));
        Poll.until("the live epoch is the new one", () -> observer.liveBrokers().get(0).epoch() == registration.epoch());
        registration.close();
        assertEquals(List.of(), liveIds(observer));
    }

    // --- watches ---

    @Test
    public void aWatchIsCalledOnceAtOnceThenForDataChildrenAndDeletion() {
        Coordinator c = session();
        Coordinator writer = session();
        List<String> seen = new CopyOnWriteArrayList<>();
        // the listener calls back into the coordinator, which must not deadlock
        Watch watch = c.watch("/w", () -> seen.add(text(c.read("/w")) + " " + c.children("/w")));
        Poll.until("the first call", () -> !seen.isEmpty());
        assertEquals("<absent> []", seen.get(0));

        expectState(seen, "a []", () -> writer.compareAndSet("/w", bytes("a"), Coordinator.ABSENT));
        expectState(seen, "b []", () -> writer.compareAndSet("/w", bytes("b"), 0));
        expectState(seen, "b [kid]", () -> writer.compareAndSet("/w/kid", bytes("k"), Coordinator.ABSENT));
        expectState(seen, "b []", () -> writer.delete("/w/kid", Coordinator.ANY_VERSION));
        expectState(seen, "<absent> []", () -> writer.delete("/w", Coordinator.ANY_VERSION));

        watch.close();
        AtomicInteger second = new AtomicInteger();
        try (Watch other = c.watch("/w", second::incrementAndGet)) {
            Poll.until("the second watch's first call", () -> second.get() >= 1);
            int closedCalls = seen.size();
            int calls = second.get();
            writer.compareAndSet("/w", bytes("again"), Coordinator.ABSENT);
            Poll.until("the second watch sees the change", () -> second.get() > calls);
            assertEquals("a closed watch stays silent", closedCalls, seen.size());
        }
    }

    /** Makes a change, then waits for a listener call that saw the state it led to. */
    private static void expectState(List<String> seen, String state, Runnable change) {
        int before = seen.size();
        change.run();
        Poll.until("the watch sees " + state, () -> seen.size() > before && seen.get(seen.size() - 1).equals(state));
    }

    @Test
    public void aWatchMissesNoChangeInALongBurst() {
        Coordinator c = session();
        Coordinator writer = session();
        AtomicReference<String> last = new AtomicReference<>();
        c.watch("/burst", () -> last.set(text(c.read("/burst")) + " " + c.children("/burst").size()));
        Poll.until("the first call", () -> last.get() != null);
        writer.compareAndSet("/burst", bytes("0"), Coordinator.ABSENT);
        for (int i = 1; i <= 100; i++) {
            assertEquals(i, writer.compareAndSet("/burst", bytes(Integer.toString(i)), i - 1));
            if (i % 10 == 0) {
                writer.compareAndSet("/burst/c" + i, new byte[0], Coordinator.ABSENT);
            }
        }
        Poll.until("the watch saw the last value and all children", () -> "100 10".equals(last.get()));
    }

    @Test
    public void aWatchSeesChangesMadeWhileItsSessionWasRenewed() throws Exception {
        Coordinator c = session();
        Coordinator writer = session();
        AtomicReference<String> last = new AtomicReference<>();
        c.watch("/renew", () -> last.set(text(c.read("/renew"))));
        Poll.until("the first call", () -> "<absent>".equals(last.get()));

        Thread changes = new Thread(() -> {
            writer.compareAndSet("/renew", bytes("0"), Coordinator.ABSENT);
            for (int i = 1; i <= 30; i++) {
                writer.compareAndSet("/renew", bytes(Integer.toString(i)), i - 1);
            }
        });
        changes.start();
        expireSession(c);
        changes.join();
        Poll.until("the watch saw the last change", () -> "30".equals(last.get()));

        writer.compareAndSet("/renew", bytes("after"), 30);
        Poll.until("the watch still fires in the new session", () -> "after".equals(last.get()));
    }

    @Test
    public void aWatchSeesChangesMadeWhileItsConnectionWasDown() throws Exception {
        Coordinator c = session();
        Coordinator writer = session();
        AtomicReference<String> last = new AtomicReference<>();
        c.watch("/gap", () -> last.set(text(c.read("/gap"))));
        Poll.until("the first call", () -> "<absent>".equals(last.get()));
        for (int round = 0; round < 3; round++) {
            dropConnection(c);
            String value = "during drop " + round;
            writer.compareAndSet("/gap", bytes(value), round == 0 ? Coordinator.ABSENT : round - 1);
            Poll.until("the watch saw " + value, () -> value.equals(last.get()));
        }
    }

    // --- controller election ---

    @Test
    public void exactlyOneControllerAndTakeoverWithALargerEpoch() {
        Coordinator first = session();
        Coordinator second = session();
        Recorder one = new Recorder();
        Recorder two = new Recorder();
        Election e1 = first.electController(1, one);
        Poll.until("broker 1 is elected", one::isController);
        Election e2 = second.electController(2, two);
        Poll.until("broker 2 sees broker 1 as controller", () -> e2.controllerId().equals(OptionalInt.of(1)));
        assertEquals(OptionalInt.of(1), e1.controllerId());
        assertEquals(List.of(), two.events);
        int firstEpoch = one.lastEpoch();
        assertTrue(firstEpoch > 0);

        closeSession(first);
        Poll.until("broker 2 takes over", two::isController);
        assertEquals(List.of("elected " + firstEpoch, "resigned"), one.events);
        assertTrue("epochs grow", two.lastEpoch() > firstEpoch);
        Poll.until("broker 2 is the controller for everyone", () -> e2.controllerId().equals(OptionalInt.of(2)));

        e2.close();
        Poll.until("broker 2 resigns on withdrawing", () -> two.events.size() == 2);
        assertEquals("resigned", two.events.get(1));
        Poll.until("no controller is left", () -> e2.controllerId().isEmpty());
    }

    /** Waits until exactly one of the two is controller, with an epoch above {@code above}; returns its index. */
    private static int awaitNewController(Recorder[] recorders, int above, String what) {
        Poll.until(what, () -> {
            int controllers = 0;
            int newest = -1;
            for (Recorder r : recorders) {
                if (r.isController()) {
                    controllers++;
                }
                newest = Math.max(newest, r.lastEpoch());
            }
            return controllers == 1 && newest > above;
        });
        return recorders[0].isController() ? 0 : 1;
    }

    private static long resignations(Recorder r) {
        return r.events.stream().filter("resigned"::equals).count();
    }

    @Test
    public void theEpochNeverGoesBackwardsAcrossResignationsAndExpiries() throws Exception {
        Coordinator[] sessions = { session(), session() };
        Recorder[] recorders = { new Recorder(), new Recorder() };
        sessions[0].electController(1, recorders[0]);
        Poll.until("broker 1 is elected", recorders[0]::isController);
        sessions[1].electController(2, recorders[1]);
        List<Integer> epochs = new ArrayList<>();
        epochs.add(recorders[0].lastEpoch());
        int leader = 0;
        for (int round = 0; round < 4; round++) {
            Recorder expired = recorders[leader];
            long resignedBefore = resignations(expired);
            expireSession(sessions[leader]);
            Poll.until("round " + round + ": the expired controller resigns", () -> resignations(expired) > resignedBefore);
            leader = awaitNewController(recorders, epochs.get(epochs.size() - 1), "round " + round + ": a new controller");
            epochs.add(recorders[leader].lastEpoch());
        }
        for (int i = 1; i < epochs.size(); i++) {
            assertTrue("epochs strictly grow: " + epochs, epochs.get(i) > epochs.get(i - 1));
        }
        List<Integer> all = new ArrayList<>(recorders[0].epochs());
        all.addAll(recorders[1].epochs());
        assertEquals("no epoch is handed out twice: " + all, all.size(), all.stream().distinct().count());
    }

    @Test
    public void aStaleControllersWritesAreFenced() throws Exception {
        Coordinator[] sessions = { session(), session() };
        Recorder[] recorders = { new Recorder(), new Recorder() };
        sessions[0].electController(1, recorders[0]);
        Poll.until("broker 1 is elected", recorders[0]::isController);
        sessions[1].electController(2, recorders[1]);
        int staleEpoch = recorders[0].lastEpoch();
        // the controller's decisions live in a versioned node; each controller writes with the version it read
        Coordinator stale = sessions[0];
        stale.compareAndSet("/state", bytes("epoch " + staleEpoch), Coordinator.ABSENT);
        int staleVersion = stale.read("/state").orElseThrow().version();

        expireSession(stale);
        Poll.until("broker 1 is told it resigned", () -> resignations(recorders[0]) > 0);
        int leader = awaitNewController(recorders, staleEpoch, "a new controller");
        int epoch = recorders[leader].lastEpoch();
        Coordinator current = sessions[leader];
        Versioned seen = current.read("/state").orElseThrow();
        assertTrue(current.compareAndSet("/state", bytes("epoch " + epoch), seen.version()) > staleVersion);

        assertEquals("the stale controller's write fails", -1,
                stale.compareAndSet("/state", bytes("epoch " + staleEpoch + " again"), staleVersion));
        assertEquals("epoch " + epoch, text(current.read("/state")));
    }
}
