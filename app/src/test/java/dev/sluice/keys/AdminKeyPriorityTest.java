package dev.sluice.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An admin key's priority reaches the key the gateway authenticates with, which admission control orders by. */
class AdminKeyPriorityTest {
    private static AdminKey stored(String priority) throws Exception {
        return AdminKey.fromJson(AdminKey.MAPPER.readTree("{\"name\":\"team-a\",\"sha256\":\"" + "ab".repeat(32)
                + "\",\"models\":[],\"priority\":" + priority + ",\"created_at\":\"2026-01-01T00:00:00Z\"}"));
    }

    @Test
    void the_stored_priority_is_the_authenticated_keys_priority_and_none_is_zero() throws Exception {
        assertThat(stored("7").issued(Instant.now()).getFirst().key().priority()).isEqualTo(7);
        assertThat(stored("-3").namedKey().priority()).isEqualTo(-3);
        assertThat(stored("null").namedKey().priority()).isZero();
    }
}
