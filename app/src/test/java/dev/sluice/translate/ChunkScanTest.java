package dev.sluice.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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

    @Test
    void aStringValueIsReadWithoutAParse() {
        String model = ChunkScan.key("model");
        assertThat(ChunkScan.string("{\"id\":\"c1\",\"model\" : \"Qwen/Qwen3-0.6B\",\"choices\":[]}", model))
                .isEqualTo("Qwen/Qwen3-0.6B");
        assertThat(ChunkScan.string("{\"model\":\"org\\/name \\\"q\\\"\"}", model))
                .as("escapes are undone").isEqualTo("org/name \"q\"");
        assertThat(ChunkScan.string("{\"content\":\"the \\\"model\\\": \\\"x\\\"\",\"model\":\"m\"}", model))
                .as("a key inside a string value is not the key").isEqualTo("m");
        assertThat(ChunkScan.string("{\"model\":null}", model)).isNull();
        assertThat(ChunkScan.string("{\"model\":\"cut", model)).as("a string that does not close").isNull();
    }

    @Test
    void everyStringValueOfAKeyIsReadInOrder() {
        String finish = ChunkScan.key("finish_reason");
        List<String> seen = new ArrayList<>();
        ChunkScan.strings("{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"},{\"index\":1,"
                + "\"finish_reason\":null},{\"index\":2,\"finish_reason\":\"length\"}]}", finish, seen::add);
        assertThat(seen).containsExactly("stop", "length");
    }
}
