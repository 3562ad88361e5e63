package io.samsa.controller;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.samsa.testsupport.Poll;

public class ControllerEventQueueTest {
    private final List<String> failures = new CopyOnWriteArrayList<>();

    @Test
    public void eventsRunInOrderOnOneThreadAndAFailureDoesNotStopTheOthers() {
        List<String> ran = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (ControllerEventQueue queue = new ControllerEventQueue("test-controller",
                (event, e) -> failures.add(event + ": " + e.getMessage()))) {
            for (int i = 0; i < 5; i++) {
                String name = "e" + i;
                queue.submit(name, () -> {
                    ran.add(name);
                    threads.add(Thread.currentThread().getName());
                    if (name.equals("e2")) {
                        throw new IllegalStateException("boom");
                    }
                });
            }
            Poll.until("every event ran", () -> ran.size() == 5);
        }
        assertEquals(List.of("e0", "e1", "e2", "e3", "e4"), ran);
        assertEquals(List.of("test-controller"), threads.stream().distinct().toList());
        assertEquals(List.of("e2: boom"), failures);
    }

    @Test
    public void closingDropsWhatIsQueuedAndRefusesMore() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        ControllerEventQueue queue = new ControllerEventQueue("test-controller", (event, e) -> failures.add(event));
        queue.submit("blocking", () -> {
            running.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                ran.add("interrupted");
            }
        });
        queue.submit("queued", () -> ran.add("queued"));
        assertTrue(running.await(5, TimeUnit.SECONDS));
        queue.close();
        queue.submit("after", () -> ran.add("after"));
        queue.schedule("later", () -> ran.add("later"), 0);
        assertTrue(queue.isClosed());
        assertTrue(queue.awaitTermination(Duration.ofSeconds(5)));
        assertEquals("the running event is interrupted, nothing else runs", List.of("interrupted"), ran);
        assertEquals(List.of(), failures);
    }
}
