package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scans may say yes where a parse says no (that costs a parse), never no where a parse says yes. */
class ChunkScanTest {
    private static final String USAGE = ChunkScan.key("usage");
    private static final String CONTENT = ChunkScan.key("content");

    @Test
    void usageNullNeedsNoParseButAnObjectDoes() {
        assertThat(ChunkScan.hasObject("{\"choices\":[],\"usage\":null}", USAGE)).isFalse();
        assertThat(ChunkScan.hasObject("{\"choices\":[],\"usage\":{\"prompt_tokens\":3}}", USAGE)).isTrue();
        assertThat(ChunkScan.hasObject("{\"usage\" :\n {\"prompt_tokens\":3}}", USAGE)).isTrue();
        assertThat(ChunkScan.hasObject("{\"usage\":null,\"x\":{\"usage\":{}}}", USAGE))
                .as("a later occurrence with an object value").isTrue();
    }

    @Test
    void aKeyNameInsideAStringValueDoesNotMatch() {
        assertThat(ChunkScan.hasObject("{\"content\":\"say \\\"usage\\\": {1}\"}", USAGE)).isFalse();
        assertThat(ChunkScan.hasNonEmptyString("{\"delta\":{\"content\":\"\"}}", CONTENT)).isFalse();
        assertThat(ChunkScan.hasNonEmptyString("{\"delta\":{\"content\":\"Hi\"}}", CONTENT)).isTrue();
        assertThat(ChunkScan.hasString("{\"delta\":{\"content\":null}}", CONTENT)).isFalse();
    }
}
