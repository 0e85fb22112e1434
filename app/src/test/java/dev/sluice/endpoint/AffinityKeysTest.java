package dev.sluice.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The conversation keys prefix-affinity routing is given. */
class AffinityKeysTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return MAPPER.readTree(s);
    }

    @Test
    void explicit_keys_win_codex_prompt_cache_key_then_claude_code_user_id() throws Exception {
        assertThat(AffinityKeys.openAi(json("{\"prompt_cache_key\":\"sess-1\",\"input\":\"hi\"}")))
                .isEqualTo("k:sess-1");
        assertThat(AffinityKeys.anthropic(json("{\"metadata\":{\"user_id\":\"user_abc_session_42\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))).isEqualTo("u:user_abc_session_42");
    }

    @Test
    void later_turns_of_a_conversation_get_the_key_of_its_opening_and_no_prompt_text() throws Exception {
        String turn1 = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"secret plan\"}]}";
        String turn3 = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"secret plan\"},{\"role\":\"assistant\",\"content\":\"ok\"},"
                + "{\"role\":\"user\",\"content\":\"more\"}]}";
        String other = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"another plan\"}]}";
        String k1 = AffinityKeys.openAi(json(turn1));
        assertThat(k1).startsWith("h:").doesNotContain("secret").doesNotContain("terse");
        assertThat(AffinityKeys.openAi(json(turn3))).isEqualTo(k1);
        assertThat(AffinityKeys.openAi(json(other))).isNotEqualTo(k1);

        String a1 = "{\"system\":\"S\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
        String a2 = "{\"system\":\"S\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
                + "{\"role\":\"assistant\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"q2\"}]}";
        assertThat(AffinityKeys.anthropic(json(a2))).isEqualTo(AffinityKeys.anthropic(json(a1))).startsWith("h:");
    }

    @Test
    void responses_key_on_instructions_and_first_input_item() throws Exception {
        String r1 = "{\"instructions\":\"I\",\"input\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        String r2 = "{\"instructions\":\"I\",\"input\":[{\"role\":\"user\",\"content\":\"x\"},"
                + "{\"role\":\"user\",\"content\":\"y\"}]}";
        assertThat(AffinityKeys.openAi(json(r2))).isEqualTo(AffinityKeys.openAi(json(r1)));
        assertThat(AffinityKeys.openAi(json("{\"model\":\"m\"}"))).as("nothing to key on").isNull();
    }
}
