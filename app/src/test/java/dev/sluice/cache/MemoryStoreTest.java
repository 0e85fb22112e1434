package dev.sluice.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory store's bounds: bytes shared by every alias, max_entries within them, no answer over the budget. */
class MemoryStoreTest {
    private static CachedAnswer answer(int bytes) {
        return new CachedAnswer(false, new byte[bytes], List.of(), System.currentTimeMillis());
    }

    @Test
    void the_aliases_share_one_byte_budget() {
        MemoryStore.Budget budget = new MemoryStore.Budget(1024 * 1024);
        MemoryStore a = new MemoryStore(budget, "a", Duration.ofMinutes(1), 10_000);
        MemoryStore b = new MemoryStore(budget, "b", Duration.ofMinutes(1), 10_000);
        for (int i = 0; i < 20; i++) {
            a.put("k" + i, answer(100_000));
            b.put("k" + i, answer(100_000));
        }

        assertThat(a.weight()).isLessThanOrEqualTo(1024 * 1024).isGreaterThan(500_000);
        // same key, other alias: its own entry
        b.put("same", answer(10));
        assertThat(a.get("same").join()).isNull();
    }

    @Test
    void max_entries_still_bounds_an_alias_of_small_answers() {
        MemoryStore s = new MemoryStore(Duration.ofMinutes(1), 10, 1024 * 1024);
        for (int i = 0; i < 100; i++) {
            s.put("k" + i, answer(10));
        }
        long kept = java.util.stream.IntStream.range(0, 100).filter(i -> s.get("k" + i).join() != null).count();

        assertThat(kept).isBetween(1L, 10L);
    }

    @Test
    void an_answer_larger_than_the_budget_is_not_kept() {
        MemoryStore s = new MemoryStore(Duration.ofMinutes(1), 10_000, 1024);
        s.put("big", answer(4096));

        assertThat(s.get("big").join()).isNull();
    }
}
