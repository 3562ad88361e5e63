package io.samsa.webconsole.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * One page of names (topics, groups) out of all of them: filtered by a case-insensitive
 * substring, sorted, cut to the page. Only the page's names are then described, so a page costs
 * the same with ten topics as with ten thousand, apart from the one list call.
 *
 * @param names the page's names, sorted
 * @param matching how many names match the filter
 * @param page the page shown, from 1, clamped to the last page
 * @param pages how many pages the matching names fill (at least 1)
 */
record NamePage(List<String> names, int matching, int page, int pages) {

    static NamePage of(Collection<String> all, String filter, int page, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be at least 1, not " + pageSize);
        }
        String needle = filter == null ? "" : filter.trim().toLowerCase(Locale.ROOT);
        List<String> matching = new ArrayList<>(needle.isEmpty() ? all.size() : 64);
        for (String name : all) {
            if (needle.isEmpty() || name.toLowerCase(Locale.ROOT).contains(needle)) {
                matching.add(name);
            }
        }
        matching.sort(null);
        int pages = Math.max(1, (matching.size() + pageSize - 1) / pageSize);
        int shown = Math.min(Math.max(1, page), pages);
        int from = (shown - 1) * pageSize;
        List<String> names = List.copyOf(matching.subList(Math.min(from, matching.size()),
                Math.min(from + pageSize, matching.size())));
        return new NamePage(names, matching.size(), shown, pages);
    }
}
