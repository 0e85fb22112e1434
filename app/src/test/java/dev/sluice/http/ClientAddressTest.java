package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Cidr;
import dev.sluice.testing.RecordingResolverProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressTest {
    private static final ClientAddress BEHIND_PROXIES = new ClientAddress(
            List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")));
    private static final ClientAddress DIRECT = new ClientAddress(List.of());

    static InetSocketAddress peer(String literal) {
        return new InetSocketAddress(InetAddress.ofLiteral(literal), 40_000);
    }

    @ParameterizedTest(name = "X-Forwarded-For: {0}")
    @ValueSource(strings = {"1.2.3.4", "1.2.3.4, 10.0.0.1", "garbage"})
    void anUntrustedPeerIsTheClientWhateverItClaims(String xff) {
        assertThat(BEHIND_PROXIES.resolve(peer("203.0.113.9"), xff)).isEqualTo("203.0.113.9");
    }

    @Test
    void withNoTrustedProxiesXForwardedForIsIgnored() {
        assertThat(DIRECT.resolve(peer("127.0.0.1"), "1.2.3.4")).isEqualTo("127.0.0.1");
        assertThat(DIRECT.resolve(peer("10.0.0.2"), "1.2.3.4")).isEqualTo("10.0.0.2");
    }

    @Test
    void aTrustedProxyWithoutXForwardedForIsTheClient() {
        assertThat(BEHIND_PROXIES.resolve(peer("10.0.0.2"), null)).isEqualTo("10.0.0.2");
    }

    @ParameterizedTest(name = "X-Forwarded-For: {0}")
    @CsvSource(delimiter = '|', value = {
            "198.51.100.1                              | 198.51.100.1",
            "198.51.100.1, 10.0.0.5                    | 198.51.100.1",
            "6.6.6.6, 198.51.100.1, 10.0.0.5           | 198.51.100.1",
            "6.6.6.6,198.51.100.1,10.0.0.5,10.1.1.1    | 198.51.100.1",
            "garbage, 198.51.100.1, 10.0.0.5           | 198.51.100.1",
            "10.0.0.9, 10.0.0.5                        | 10.0.0.9",
            "[2001:db8::1]                             | 2001:db8:0:0:0:0:0:1",
            "2001:db8::1, ::1                          | 2001:db8:0:0:0:0:0:1",
    })
    void behindATrustedProxyTheChainIsWalkedRightToLeftToTheFirstUntrustedHop(String xff, String client) {
        assertThat(BEHIND_PROXIES.resolve(peer("10.0.0.2"), xff)).isEqualTo(client);
    }

    @Test
    void anIpv6TrustedPeerWorksLikeAnyOther() {
        assertThat(BEHIND_PROXIES.resolve(peer("::1"), "198.51.100.1")).isEqualTo("198.51.100.1");
    }

    @ParameterizedTest(name = "X-Forwarded-For: \"{0}\"")
    @ValueSource(strings = {"", " ", "unknown", "1.2.3.4:5678", "1.2.3.4, , 10.0.0.5", "<script>", "for=1.2.3.4",
            "1.2.3.4;proxy", "999.1.1.1", "1.2.3.4.5", "dead.beef", "cafe", "198.51.100.1, dead.beef"})
    void garbageInTheTrustedPartOfTheChainFallsBackToThePeer(String xff) {
        assertThat(BEHIND_PROXIES.resolve(peer("10.0.0.2"), xff)).isEqualTo("10.0.0.2");
    }

    @Test
    void aHopThatLooksLikeAHostNameIsNeverResolved() {
        BEHIND_PROXIES.resolve(peer("10.0.0.2"), "dead.beef");
        BEHIND_PROXIES.resolve(peer("10.0.0.2"), "cafe, 10.0.0.7");

        assertThat(RecordingResolverProvider.lookups()).doesNotContain("dead.beef", "cafe");
    }

    @Test
    void spellingsOfOneAddressGiveOneCallerKey() {
        String a = BEHIND_PROXIES.resolve(peer("10.0.0.2"), "2001:db8::1");
        String b = BEHIND_PROXIES.resolve(peer("10.0.0.2"), "2001:DB8:0:0::1");
        String c = BEHIND_PROXIES.resolve(peer("10.0.0.2"), "[2001:db8:0::1]");

        assertThat(a).isEqualTo(b).isEqualTo(c);
    }

    @Test
    void anUnknownPeerIsReportedAsUnknown() {
        assertThat(BEHIND_PROXIES.resolve(null, "1.2.3.4")).isEqualTo("unknown");
        assertThat(BEHIND_PROXIES.resolve(InetSocketAddress.createUnresolved("somewhere", 1), "1.2.3.4"))
                .isEqualTo("unknown");
    }
}
