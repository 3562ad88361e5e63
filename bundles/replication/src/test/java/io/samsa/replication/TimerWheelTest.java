package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

public class TimerWheelTest {

    @Test
    public void tasksRunAtTheirDeadlineOnceEvenManyTurnsAhead() {
        TimerWheel w = new TimerWheel(10, 8, 1000); // one turn is 80 ms
        List<String> ran = new ArrayList<>();
        w.schedule(1005, () -> ran.add("soon"));
        w.schedule(1500, () -> ran.add("six turns"));
        w.schedule(990, () -> ran.add("already due"));
        assertEquals(3, w.size());
        assertEquals(2, w.advance(1010));
        assertEquals(List.of("already due", "soon"), sorted(ran));
        assertEquals("not before its deadline though its bucket came round", 0, w.advance(1499));
        assertEquals(1, w.advance(1500));
        assertEquals(0, w.advance(5000));
        assertEquals(0, w.size());
    }

    @Test
    public void aCancelledTaskNeverRunsAndLeavesNothing() {
        TimerWheel w = new TimerWheel(10, 8, 0);
        List<Integer> ran = new ArrayList<>();
        TimerWheel.Timeout a = w.schedule(50, () -> ran.add(1));
        w.schedule(50, () -> ran.add(2));
        a.cancel();
        a.cancel();
        assertEquals(1, w.size());
        assertEquals(1, w.advance(100_000));
        assertEquals(List.of(2), ran);
        a.cancel(); // after the wheel moved on: harmless
        assertEquals(0, w.size());
    }

    @Test
    public void aLongJumpOfTheClockExpiresEverythingDue() {
        TimerWheel w = new TimerWheel(10, 16, 0);
        for (int i = 0; i < 1000; i++) {
            w.schedule(i * 37L, () -> { });
        }
        assertEquals(1000, w.advance(37_000));
        assertEquals(0, w.size());
    }

    @Test
    public void badShapesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TimerWheel(10, 12, 0));
        assertTrue(e.getMessage(), e.getMessage().contains("power-of-two"));
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel(0, 8, 0));
    }

    private static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }
}
