package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.run;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Crawler example on a small site: every page once, the fetches overlapping, never more than the workers. */
@Timeout(60)
class CrawlerTest {

    @Test
    void crawl_fetchesEveryPageOnce_withTheWorkersOverlapping() {
        int pages = 30, workers = 5;
        Duration delay = Duration.ofMillis(100);
        Crawler.Report r = run(() -> Crawler.crawl(workers, pages, delay));

        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < pages; i++) {
            expected.put("/page/" + i, 1);
        }
        expected.put("/missing", 1);                  // page 0's broken link: one failed fetch
        expected.put("/", 1);                         // the warm-up request before the clock starts
        assertEquals(expected, r.hits());
        assertEquals(pages, r.fetched());
        assertEquals(1, r.failed());
        assertEquals(pages + 1, r.distinct());
        assertEquals(pages, r.offSite());             // one off-site link a page, never fetched

        long sequentialMillis = (pages + 1) * delay.toMillis();
        assertTrue(r.wall().toMillis() < sequentialMillis / 2,
                () -> "took " + r.wall().toMillis() + " ms; one after the other would take " + sequentialMillis + " ms");
        assertTrue(r.maxInFlight() >= 2 && r.maxInFlight() <= workers, () -> "max in flight " + r.maxInFlight());
    }
}
