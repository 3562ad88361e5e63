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
import io.samsa.api.coordination.Op;
import io.samsa.api.coordination.SessionListener;
import io.samsa.api.coordination.TransactResult;
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

    // --- transactions ---

    @Test
    public void aTransactionAppliesEveryOpAndReportsTheVersions() {
        Coordinator c = session();
        Coordinator other = session();
        c.compareAndSet("/tx/a", bytes("a0"), Coordinator.ABSENT);
        c.compareAndSet("/tx/gone", bytes("g"), Coordinator.ABSENT);
        c.compareAndSet("/tx/free", bytes("f0"), Coordinator.ABSENT);

        TransactResult result = c.transact(List.of(new Op.Check("/tx/a", 0), new Op.Set("/tx/a", bytes("a1"), 0),
                new Op.Create("/tx/new/deep/node", bytes("n"), false), new Op.Delete("/tx/gone", 0),
                new Op.Set("/tx/free", bytes("f1"), Coordinator.ANY_VERSION)));

        assertTrue(result.toString(), result.isCommitted());
        assertEquals(List.of(0, 1, 0, -1, 1), result.versions());
        assertEquals(-1, result.failedOp());
        assertEquals("a1", text(other.read("/tx/a")));
        assertEquals("n", text(other.read("/tx/new/deep/node")));
        assertTrue("missing parents are created", other.read("/tx/new/deep").isPresent());
        assertEquals(Optional.empty(), other.read("/tx/gone"));
        assertEquals(1, other.read("/tx/free").orElseThrow().version());
    }

    @Test
    public void aFailedTransactionChangesNothingAndNamesTheFirstFailingOp() {
        Coordinator c = session();
        c.compareAndSet("/all/a", bytes("a0"), Coordinator.ABSENT);
        c.compareAndSet("/all/parent/child", bytes("c"), Coordinator.ABSENT);
        Op createFresh = new Op.Create("/all/fresh/x", bytes("x"), false);
        Op setA = new Op.Set("/all/a", bytes("a1"), 0);

        assertFailure(c, 2, TransactResult.Failure.BAD_VERSION,
                List.of(createFresh, setA, new Op.Check("/all/a", 7), new Op.Check("/all/missing", 0)));
        assertFailure(c, 2, TransactResult.Failure.NODE_EXISTS,
                List.of(createFresh, setA, new Op.Create("/all/parent/child", bytes("again"), false)));
        assertFailure(c, 2, TransactResult.Failure.NO_NODE,
                List.of(createFresh, setA, new Op.Set("/all/missing", bytes("m"), Coordinator.ANY_VERSION)));
        assertFailure(c, 2, TransactResult.Failure.NO_NODE, List.of(createFresh, setA, new Op.Check("/all/missing", 0)));
        assertFailure(c, 2, TransactResult.Failure.NOT_EMPTY,
                List.of(createFresh, setA, new Op.Delete("/all/parent", Coordinator.ANY_VERSION)));
        assertFailure(c, 2, TransactResult.Failure.BAD_VERSION,
                List.of(createFresh, setA, new Op.Delete("/all/parent/child", 3)));
        assertFailure(c, 1, TransactResult.Failure.BAD_VERSION, List.of(setA, setA)); // the first Set moved it to 1
        assertFailure(c, 2, TransactResult.Failure.EPHEMERAL_PARENT, List.of(createFresh,
                new Op.Create("/all/eph", bytes("e"), true), new Op.Create("/all/eph/kid", bytes("k"), false)));
        assertFailure(c, 2, TransactResult.Failure.EPHEMERAL_PARENT, List.of(createFresh,
                new Op.Create("/all/eph", bytes("e"), true), new Op.Create("/all/eph/deep/kid", bytes("k"), false)));

        assertEquals("a0", text(c.read("/all/a")));
        assertEquals(0, c.read("/all/a").orElseThrow().version());
        assertEquals("nothing of a failed transaction is left", List.of("a", "parent"), c.children("/all"));
        assertEquals("c", text(c.read("/all/parent/child")));
    }

    private static void assertFailure(Coordinator c, int index, TransactResult.Failure why, List<Op> ops) {
        TransactResult result = c.transact(ops);
        assertEquals("failed op of " + ops, index, result.failedOp());
        assertEquals("failure of " + ops, why, result.failure());
        assertFalse(result.isCommitted());
        assertEquals(List.of(), result.versions());
    }

    @Test
    public void transactionsOnOneVersionHaveExactlyOneWinner() throws Exception {
        Coordinator a = session();
        Coordinator b = session();
        a.compareAndSet("/cas/state", bytes("0"), Coordinator.ABSENT);
        for (int round = 0; round < 10; round++) {
            int version = round;
            AtomicInteger wins = new AtomicInteger();
            Thread t = new Thread(() -> {
                if (b.transact(List.of(new Op.Set("/cas/state", bytes("b"), version),
                        new Op.Create("/cas/b" + version, new byte[0], false))).isCommitted()) {
                    wins.incrementAndGet();
                }
            });
            t.start();
            if (a.transact(List.of(new Op.Set("/cas/state", bytes("a"), version),
                    new Op.Create("/cas/a" + version, new byte[0], false))).isCommitted()) {
                wins.incrementAndGet();
            }
            t.join();
            assertEquals("round " + round, 1, wins.get());
            assertEquals("only the winner's create happened", round + 2, a.children("/cas").size());
        }
    }

    @Test
    public void createsRacingOnAMissingParentBothCommit() throws Exception {
        Coordinator a = session();
        Coordinator b = session();
        for (int round = 0; round < 10; round++) {
            String parent = "/race" + round + "/shared";
            AtomicReference<TransactResult> other = new AtomicReference<>();
            Thread t = new Thread(() -> other.set(b.transact(List.of(new Op.Create(parent + "/b", bytes("b"), false)))));
            t.start();
            TransactResult mine = a.transact(List.of(new Op.Create(parent + "/a", bytes("a"), false)));
            t.join();
            assertTrue("round " + round + ": " + mine, mine.isCommitted());
            assertTrue("round " + round + ": " + other.get(), other.get().isCommitted());
            assertEquals(List.of("a", "b"), a.children(parent));
        }
    }

    @Test
    public void badTransactionsAreRefusedNamingTheOpAndPath() {
        Coordinator c = session();
        assertMessage(IllegalArgumentException.class, "at least one op", () -> c.transact(List.of()));
        List<Op> withNull = new ArrayList<>();
        withNull.add(new Op.Check("/x", 0));
        withNull.add(null);
        assertMessage(IllegalArgumentException.class, "op 1", () -> c.transact(withNull));
        assertMessage(IllegalArgumentException.class, "/x", () -> new Op.Check("/x", -1));
        assertMessage(IllegalArgumentException.class, "relative", () -> new Op.Set("relative", bytes("v"), 0));
        assertMessage(IllegalArgumentException.class, "root", () -> new Op.Create("/", bytes("v"), false));
        assertMessage(IllegalArgumentException.class, "/a/", () -> new Op.Delete("/a/", 0));
        assertMessage(IllegalArgumentException.class, "/a//b", () -> new Op.Delete("/a//b", 0));
        assertMessage(IllegalArgumentException.class, "/v", () -> new Op.Set("/v", bytes("v"), Coordinator.ABSENT));
        assertMessage(NullPointerException.class, "/v", () -> new Op.Create("/v", null, false));
        assertMessage(IllegalArgumentException.class, "relative", () -> c.watchTree("relative", p -> { }));
    }

    private static <T extends Throwable> void assertMessage(Class<T> type, String part,
            org.junit.function.ThrowingRunnable call) {
        T e = assertThrows(type, call);
        assertTrue("'" + e.getMessage() + "' names " + part, e.getMessage() != null && e.getMessage().contains(part));
    }

    @Test
    public void anEphemeralNodeGoesWithItsSessionAndDoesNotComeBack() throws Exception {
        Coordinator owner = session();
        Coordinator observer = session();
        assertTrue(owner.transact(List.of(new Op.Create("/eph/mine", bytes("m"), true))).isCommitted());
        assertEquals("m", text(observer.read("/eph/mine")));

        expireSession(owner);
        Poll.until("the ephemeral node is gone with the expired session", () -> observer.read("/eph/mine").isEmpty());
        assertTrue(owner.transact(List.of(new Op.Create("/eph/again", bytes("a"), true))).isCommitted());
        closeSession(owner);
        Poll.until("and with a closed one", () -> observer.read("/eph/again").isEmpty());
        assertEquals(Optional.empty(), observer.read("/eph/mine"));
    }

    @Test
    public void aStaleControllersFencedTransactionsFail() throws Exception {
        Coordinator[] sessions = { session(), session() };
        Recorder[] recorders = { new Recorder(), new Recorder() };
        Election first = sessions[0].electController(1, recorders[0]);
        Poll.until("broker 1 is elected", recorders[0]::isController);
        Election second = sessions[1].electController(2, recorders[1]);
        assertMessage(IllegalStateException.class, "2", second::fence);
        Op staleFence = first.fence();
        assertTrue(sessions[0].transact(List.of(staleFence, new Op.Create("/decided/one", bytes("1"), false)))
                .isCommitted());

        expireSession(sessions[0]);
        int leader = awaitNewController(recorders, recorders[0].lastEpoch(), "a new controller");
        Election current = leader == 0 ? first : second;
        Poll.until("the new controller's fence is in place", () -> {
            try {
                return !current.fence().equals(staleFence);
            } catch (IllegalStateException notYet) {
                return false;
            }
        });

        TransactResult stale = sessions[0].transact(List.of(staleFence, new Op.Set("/decided/one", bytes("stale"), 0)));
        assertEquals("the stale fence fails first", 0, stale.failedOp());
        assertEquals(TransactResult.Failure.BAD_VERSION, stale.failure());
        assertEquals("1", text(sessions[1].read("/decided/one")));

        TransactResult fresh = sessions[leader].transact(List.of(current.fence(),
                new Op.Set("/decided/one", bytes("fresh"), 0)));
        assertTrue(fresh.toString(), fresh.isCommitted());
        assertEquals("fresh", text(sessions[1 - leader].read("/decided/one")));
    }

    // --- recursive watches ---

    @Test
    public void aTreeWatchSeesEveryChangeBelowItsRoot() {
        Coordinator c = session();
        Coordinator writer = session();
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = c.watchTree("/tree", path -> seen.add(String.valueOf(path)));
        Poll.until("the first call is a resync", () -> seen.contains("null"));

        writer.compareAndSet("/tree/a/b/grandchild", bytes("g0"), Coordinator.ABSENT);
        Poll.until("the grandchild's creation is seen", () -> seen.contains("/tree/a/b/grandchild"));
        assertTrue("so is its new parent's: " + seen, seen.contains("/tree/a/b"));
        seen.clear();
        writer.compareAndSet("/tree/a/b/grandchild", bytes("g1"), 0);
        Poll.until("its data change is seen", () -> seen.contains("/tree/a/b/grandchild"));
        seen.clear();
        writer.transact(List.of(new Op.Delete("/tree/a/b/grandchild", 1)));
        Poll.until("its deletion is seen", () -> seen.contains("/tree/a/b/grandchild"));
        writer.compareAndSet("/treeless/x", bytes("x"), Coordinator.ABSENT);
        writer.compareAndSet("/tree", bytes("root"), 0);
        Poll.until("the root's own change is seen", () -> seen.contains("/tree"));
        assertFalse("nothing outside the root: " + seen, seen.stream().anyMatch(p -> p.startsWith("/treeless")));

        watch.close();
        int before = seen.size();
        writer.compareAndSet("/tree/after", bytes("x"), Coordinator.ABSENT);
        AtomicInteger later = new AtomicInteger();
        try (Watch probe = c.watchTree("/tree", path -> later.incrementAndGet())) {
            Poll.until("the later watch's first call", () -> later.get() >= 1);
            writer.compareAndSet("/tree/after", bytes("y"), 0);
            Poll.until("a later watch sees the next change", () -> later.get() >= 2);
        }
        assertEquals("a closed tree watch stays silent: " + seen, before, seen.size());
    }

    @Test
    public void aTreeWatchIsToldToResyncAfterItsSessionOrConnectionWasLost() throws Exception {
        Coordinator c = session();
        Coordinator writer = session();
        List<String> seen = new CopyOnWriteArrayList<>();
        c.watchTree("/sync", path -> seen.add(String.valueOf(path)));
        Poll.until("the first resync", () -> seen.contains("null"));

        seen.clear();
        expireSession(c);
        Poll.until("a resync after the session expired", () -> seen.contains("null"));
        writer.compareAndSet("/sync/x/y", bytes("y"), Coordinator.ABSENT);
        Poll.until("changes are seen in the new session", () -> seen.contains("/sync/x/y"));

        seen.clear();
        dropConnection(c);
        Poll.until("a resync after the connection came back", () -> seen.contains("null"));
        writer.compareAndSet("/sync/x/y", bytes("z"), 0);
        Poll.until("changes are seen after reconnecting", () -> seen.contains("/sync/x/y"));
    }

    // --- broker sessions ---

    @Test
    public void everyAdvertisedEndpointRoundTrips() {
        Coordinator c = session();
        Coordinator observer = session();
        BrokerRegistration broker = new BrokerRegistration(4, "client-host", 9092, Optional.of("r"), 0, List.of(
                new BrokerRegistration.Endpoint("PLAINTEXT", "PLAINTEXT", "client-host", 9092),
                new BrokerRegistration.Endpoint("REPLICATION", "PLAINTEXT", "10.0.0.4", 9093),
                BrokerRegistration.Endpoint.of("SSL", "::1", 9094)));
        BrokerSession session = c.registerBroker(broker);
        List<BrokerRegistration> live = observer.liveBrokers();
        assertEquals(List.of(broker.withEpoch(session.epoch())), live);
        assertEquals(9093, live.get(0).endpoint("REPLICATION").orElseThrow().port());
        assertEquals("SSL", live.get(0).endpoint("SSL").orElseThrow().securityProtocol());
        assertMessage(IllegalArgumentException.class, "REPLICATION", () -> new BrokerRegistration(5, "h", 1,
                Optional.empty(), 0, List.of(BrokerRegistration.Endpoint.of("REPLICATION", "a", 1),
                        BrokerRegistration.Endpoint.of("REPLICATION", "b", 2))));
        assertMessage(IllegalArgumentException.class, "5", () -> new BrokerRegistration(5, "h", 1, Optional.empty(),
                0, List.of()));
        assertMessage(IllegalArgumentException.class, "65536", () -> BrokerRegistration.Endpoint.of("X", "h", 65536));
    }

    /** Session events as "registered N", "expired", "suspended", in order. */
    public static final class SessionEvents implements SessionListener {
        public final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void suspended() {
            events.add("suspended");
        }

        @Override
        public void expired() {
            events.add("expired");
        }

        @Override
        public void registered(long epoch) {
            events.add("registered " + epoch);
        }
    }

    @Test
    public void aSessionListenerLearnsOfExpiryAndTheNewEpoch() throws Exception {
        Coordinator c = session();
        BrokerSession registration = c.registerBroker(broker(6));
        long first = registration.epoch();
        Poll.until("the lease is held once registered", registration::holdsLease);
        SessionEvents listener = new SessionEvents();
        registration.addListener(listener);
        Poll.until("the listener is told the epoch at once", () -> listener.events.equals(List.of("registered " + first)));

        expireSession(c);
        Poll.until("expiry, then registration with a new epoch: " + listener.events, () -> listener.events.size() >= 3
                && listener.events.get(listener.events.size() - 1).startsWith("registered "));
        assertTrue(listener.events.toString(), listener.events.contains("expired"));
        assertTrue("expired comes before the new registration: " + listener.events,
                listener.events.indexOf("expired") < listener.events.size() - 1);
        long second = Long.parseLong(listener.events.get(listener.events.size() - 1).substring("registered ".length()));
        assertTrue("the new epoch is larger", second > first);
        assertEquals(second, registration.epoch());
        Poll.until("the lease is held again in the new session", registration::holdsLease);

        dropConnection(c);
        Poll.until("a dropped connection suspends: " + listener.events, () -> listener.events.contains("suspended"));

        registration.close();
        assertFalse("a closed registration holds no lease", registration.holdsLease());
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
