package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.NamedKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key admin API's secrets in the authenticator: beside the file's keys, past a reload, and their grace ends. */
class IssuedKeysTest {
    static NamedKey key(String name, String secret, Instant expires) {
        return new NamedKey(name, ApiKeyAuthenticator.sha256(secret), 5, null, List.of("chat"), expires);
    }

    @Test
    void issuedSecretsMatchUntilTheirGraceEndsAndSurviveAConfigReload() {
        ApiKeyAuthenticator auth = new ApiKeyAuthenticator(List.of("env-key"), List.of(key("file", "file-s", null)));
        NamedKey admin = key("admin", "new-s", null);
        auth.replaceIssued(List.of(new ApiKeyAuthenticator.Issued(admin.sha256(), admin, null),
                new ApiKeyAuthenticator.Issued(ApiKeyAuthenticator.sha256("old-s"), admin, Instant.now().plusSeconds(60)),
                new ApiKeyAuthenticator.Issued(ApiKeyAuthenticator.sha256("older-s"), admin,
                        Instant.now().minusSeconds(1))));
        assertThat(auth.match("new-s").principal()).isEqualTo("admin");
        assertThat(auth.match("old-s").key().rpm()).isEqualTo(5);
        assertThat(auth.match("older-s")).as("past its grace: an unknown key, not an expired one").isNull();
        assertThat(auth.named("admin")).isSameAs(admin);
        assertThat(auth.match("file-s").principal()).isEqualTo("file");

        auth.replaceWith(new ApiKeyAuthenticator(List.of("env-key"), List.of()));
        assertThat(auth.match("new-s").principal()).as("a reload keeps admin keys").isEqualTo("admin");
        assertThat(auth.match("file-s")).isNull();
    }

    @Test
    void anExpiredIssuedKeySaysSoAndAFileNameWins() {
        ApiKeyAuthenticator auth = new ApiKeyAuthenticator(List.of(), List.of(key("taken", "file-s", null)));
        NamedKey gone = key("gone", "gone-s", Instant.now().minusSeconds(1));
        NamedKey clash = key("taken", "clash-s", null);
        auth.replaceIssued(List.of(new ApiKeyAuthenticator.Issued(gone.sha256(), gone, null),
                new ApiKeyAuthenticator.Issued(clash.sha256(), clash, null)));
        assertThat(auth.match("gone-s").expired()).isTrue();
        assertThat(auth.authenticate("gone-s")).isNull();
        assertThat(auth.match("clash-s")).isNull();
        assertThat(auth.named("taken").sha256()).isEqualTo(ApiKeyAuthenticator.sha256("file-s"));
    }
}
