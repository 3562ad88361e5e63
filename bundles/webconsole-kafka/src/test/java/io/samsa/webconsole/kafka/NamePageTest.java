package io.samsa.webconsole.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

public class NamePageTest {
    private static List<String> topics(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(String.format("topic-%05d", i));
        }
        names.add("Orders");
        names.add("orders.eu");
        return names;
    }

    @Test
    public void pagesAreSortedSlicesOfTheMatchingNames() {
        NamePage second = NamePage.of(topics(10_000), "topic-", 2, 50);
        assertEquals(10_000, second.matching());
        assertEquals(200, second.pages());
        assertEquals(2, second.page());
        assertEquals(50, second.names().size());
        assertEquals("topic-00050", second.names().get(0));
        assertEquals("topic-00099", second.names().get(49));
    }

    @Test
    public void theFilterIsACaseInsensitiveSubstring() {
        NamePage orders = NamePage.of(topics(100), " ORDERS ", 1, 50);
        assertEquals(List.of("Orders", "orders.eu"), orders.names());
        assertEquals(1, orders.pages());
    }

    @Test
    public void aPageBeyondTheLastShowsTheLastAndNoMatchesGiveOneEmptyPage() {
        NamePage last = NamePage.of(topics(120), "topic", 99, 50);
        assertEquals(3, last.page());
        assertEquals(List.of("topic-00100", "topic-00101"), last.names().subList(0, 2));
        assertEquals(20, last.names().size());
        NamePage none = NamePage.of(topics(120), "nothing", 1, 50);
        assertEquals(0, none.matching());
        assertEquals(1, none.pages());
        assertTrue(none.names().isEmpty());
        assertEquals(1, NamePage.of(topics(3), "", 0, 50).page());
    }

    @Test
    public void tenThousandNamesArePagedQuickly() {
        List<String> names = topics(10_000);
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            NamePage.of(names, "07", i + 1, 50);
        }
        long perPageMillis = (System.nanoTime() - start) / 20 / 1_000_000;
        assertTrue("one page of 10,000 names took " + perPageMillis + " ms", perPageMillis < 200);
    }

    @Test
    public void aPageSizeBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamePage.of(List.of(), "", 1, 0));
        assertEquals("page size must be at least 1, not 0", e.getMessage());
    }
}
