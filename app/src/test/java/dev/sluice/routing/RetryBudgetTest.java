package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The retry budget bounds retries over time, not only those in flight. */
class RetryBudgetTest {

    @Test
    void retriesThatFinishAtOnceStillAddAtMostTheRatioOverManyRequests() {
        RetryBudget budget = new RetryBudget(0.2, 3);
        int retries = 0;
        for (int i = 0; i < 1000; i++) {
            budget.requestStarted();
            if (budget.tryRetry()) {
                retries++;
                budget.retryDone();
            }
            budget.requestFinished();
        }
        // 0.2 per request plus the starting reserve of 3 (and at most a few refilled in the loop's time)
        assertThat(retries).isBetween(150, 215);
    }

    @Test
    void aFirstFailureAfterAQuietSpellIsStillRetried() {
        RetryBudget budget = new RetryBudget(0.2, 3);
        budget.requestStarted();
        assertThat(budget.tryRetry()).isTrue();
    }

    @Test
    void aZeroBudgetNeverRetries() {
        RetryBudget budget = new RetryBudget(0.0, 0);
        budget.requestStarted();
        assertThat(budget.tryRetry()).isFalse();
    }
}
