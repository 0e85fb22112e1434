package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyAuthenticatorTest {
    private static final String K1 = "sk-sluice-live-7f3a9c1e2b4d";
    private static final String K2 = "team-b:4a1c2e0f9d8b7a6c";
    private static final String K3 = "ключ-три-✓";
    private static final ApiKeyAuthenticator AUTH = new ApiKeyAuthenticator(List.of(K1, K2, K3));

    @ParameterizedTest(name = "x-api-key={0}, authorization={1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "k1          | NULL              | k1",
            "' k1 '      | NULL              | k1",
            "NULL        | Bearer k2         | k2",
            "NULL        | bearer k2         | k2",
            "NULL        | BEARER    k2      | k2",
            "NULL        | '  Bearer k2  '   | k2",
            "''          | Bearer k2         | k2",
            "'   '       | Bearer k2         | k2",
            "k1          | Bearer k2         | k1",
            "NULL        | Basic azE6cGFzcw==| NULL",
            "NULL        | Bearer            | NULL",
            "NULL        | 'Bearer '         | NULL",
            "NULL        | Bearerk2          | NULL",
            "NULL        | k2                | NULL",
            "NULL        | NULL              | NULL",
    })
    void findsTheKeyInEitherHeaderForm(String xApiKey, String authorization, String expected) {
        assertThat(ApiKeyAuthenticator.presentedKey(xApiKey, authorization)).isEqualTo(expected);
    }

    @Test
    void eachConfiguredKeyAuthenticatesAsItsOwnPrincipal() {
        String p1 = AUTH.authenticate(K1);
        String p2 = AUTH.authenticate(K2);
        String p3 = AUTH.authenticate(K3);

        assertThat(List.of(p1, p2, p3)).containsExactly("key1", "key2", "key3");
    }

    @Test
    void withAFingerprintSecretThePrincipalCarriesAKeyedFingerprintNeverAPlainDigest() throws Exception {
        String secret = "per-install-secret-0123456789";
        ApiKeyAuthenticator keyed = new ApiKeyAuthenticator(List.of(K1, K2, K3), List.of(), secret);
        for (int i = 0; i < 3; i++) {
            String key = List.of(K1, K2, K3).get(i);
            String principal = keyed.authenticate(key);
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes("UTF-8"), "HmacSHA256"));
            String hmac = HexFormat.of().formatHex(mac.doFinal(key.getBytes("UTF-8")));
            String digest = HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes("UTF-8")));
            assertThat(principal).isEqualTo("key" + (i + 1) + "-" + hmac.substring(0, 8))
                    .doesNotContain(key).doesNotContain(digest.substring(0, 8));
        }
        // another install (another secret) names the same key differently; the same secret names it the same
        assertThat(new ApiKeyAuthenticator(List.of(K1), List.of(), "another-install-secret-0123").authenticate(K1))
                .isNotEqualTo(keyed.authenticate(K1));
        assertThat(new ApiKeyAuthenticator(List.of(K1), List.of(), secret).authenticate(K1))
                .isEqualTo(keyed.authenticate(K1));
    }

    @Test
    void theSameKeyGetsTheSamePrincipalAcrossInstances() {
        assertThat(new ApiKeyAuthenticator(List.of(K1)).authenticate(K1)).isEqualTo(AUTH.authenticate(K1));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "sk-sluice-live-7f3a9c1e2b4", "sk-sluice-live-7f3a9c1e2b4d ", "SK-SLUICE-LIVE-7F3A9C1E2B4D",
            "sk-sluice-live-7f3a9c1e2b4dX", "key1-00000000", "team-b"})
    void anythingButAnExactKeyIsRefused(String presented) {
        assertThat(AUTH.authenticate(presented)).isNull();
    }

    @Test
    void noKeyIsRefused() {
        assertThat(AUTH.authenticate(null)).isNull();
    }

    @Test
    void aDuplicatedKeyMatchesItsFirstPosition() {
        ApiKeyAuthenticator auth = new ApiKeyAuthenticator(List.of("a-key", "b-key", "a-key"));

        assertThat(auth.authenticate("a-key")).isEqualTo("key1");
    }

    @Test
    void authIsOffWithoutKeys() {
        assertThat(new ApiKeyAuthenticator(List.of()).enabled()).isFalse();
        assertThat(new ApiKeyAuthenticator(List.of()).authenticate("anything")).isNull();
        assertThat(AUTH.enabled()).isTrue();
    }
}
