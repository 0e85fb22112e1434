package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waiting order: priority first, then round robin between callers, each caller's own requests in order. */
class FairQueueTest {
    private record W(String caller, int priority, String name) {}

    private static List<String> drain(FairQueue<W> q) {
        List<String> out = new ArrayList<>();
        while (!q.isEmpty()) {
            W peeked = q.peek();
            W w = q.poll();
            assertThat(w).as("peek and poll agree").isSameAs(peeked);
            out.add(w.name());
        }
        return out;
    }

    private static FairQueue<W> queue() {
        return new FairQueue<>(W::priority, W::caller);
    }

    @Test
    void a_burst_of_one_caller_takes_turns_with_the_others_of_its_priority() {
        FairQueue<W> q = queue();
        for (int i = 1; i <= 4; i++) {
            q.add(new W("batch", 0, "batch" + i));
        }
        q.add(new W("alice", 0, "alice1"));
        q.add(new W("bob", 0, "bob1"));
        q.add(new W("alice", 0, "alice2"));
        assertThat(q.size()).isEqualTo(7);
        assertThat(drain(q)).containsExactly("batch1", "alice1", "bob1", "batch2", "alice2", "batch3", "batch4");
        assertThat(q.size()).isZero();
        assertThat(q.poll()).isNull();
        assertThat(q.peek()).isNull();
    }

    @Test
    void a_higher_priority_goes_first_whatever_came_before_it() {
        FairQueue<W> q = queue();
        q.add(new W("low", -1, "low1"));
        q.add(new W("mid", 0, "mid1"));
        q.add(new W("high", 10, "high1"));
        q.add(new W("low", -1, "low2"));
        q.add(new W("high", 10, "high2"));
        assertThat(drain(q)).containsExactly("high1", "high2", "mid1", "low1", "low2");
    }

    @Test
    void a_waiter_taken_out_leaves_the_others_in_their_turns() {
        FairQueue<W> q = queue();
        W a1 = new W("a", 0, "a1");
        W a2 = new W("a", 0, "a2");
        W b1 = new W("b", 0, "b1");
        W c1 = new W("c", 5, "c1");
        q.add(a1);
        q.add(a2);
        q.add(b1);
        q.add(c1);
        assertThat(q.remove(a1)).isTrue();
        assertThat(q.remove(a1)).as("already out").isFalse();
        assertThat(q.remove(c1)).isTrue();
        assertThat(q.remove(new W("zz", 3, "never added"))).isFalse();
        assertThat(q.size()).isEqualTo(2);
        assertThat(drain(q)).containsExactly("a2", "b1");
    }

    @Test
    void a_full_queue_gives_way_to_a_higher_priority_from_its_heaviest_lowest_caller() {
        FairQueue<W> q = queue();
        q.add(new W("batch", 0, "batch1"));
        q.add(new W("batch", 0, "batch2"));
        q.add(new W("team", 0, "team1"));
        q.add(new W("vip", 10, "vip1"));
        assertThat(q.evictBelow(0)).as("no one below 0 waits").isNull();
        assertThat(q.evictBelow(5).name()).as("the newest of the caller with most waiting").isEqualTo("batch2");
        assertThat(q.evictBelow(5).name()).as("then turns even out: the last of the equals").isEqualTo("team1");
        assertThat(q.size()).isEqualTo(2);
        assertThat(drain(q)).containsExactly("vip1", "batch1");
    }
}
