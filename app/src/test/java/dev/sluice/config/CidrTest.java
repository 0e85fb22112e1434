package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.RecordingResolverProvider;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "10.0.0.0/8,        10.0.0.0,           true",
            "10.0.0.0/8,        10.255.255.255,     true",
            "10.0.0.0/8,        11.0.0.0,           false",
            "10.0.0.0/8,        9.255.255.255,      false",
            "172.16.0.0/12,     172.31.255.255,     true",
            "172.16.0.0/12,     172.32.0.0,         false",
            "172.16.0.0/12,     172.15.255.255,     false",
            "192.168.1.7,       192.168.1.7,        true",
            "192.168.1.7,       192.168.1.8,        false",
            "192.168.1.7/32,    192.168.1.7,        true",
            "10.1.2.3/8,        10.9.9.9,           true",
            "100.64.0.0/10,     100.127.255.255,    true",
            "100.64.0.0/10,     100.128.0.0,        false",
            "0.0.0.0/0,         203.0.113.9,        true",
            "0.0.0.0/0,         ::1,                false",
            "::1,               ::1,                true",
            "::1/128,           ::2,                false",
            "2001:db8::/32,     2001:db8:ffff::1,   true",
            "2001:db8::/32,     2001:db9::1,        false",
            "fc00::/7,          fdff::1,            true",
            "fc00::/7,          fe00::1,            false",
            "::/0,              10.0.0.1,           false",
            "10.0.0.0/8,        ::ffff:10.0.0.1,    true",
            "10.0.0.0/8,        ' 10.0.0.1',        true",
    })
    void containsExactlyTheAddressesUnderItsPrefix(String cidr, String address, boolean contained) {
        assertThat(Cidr.parse(cidr).contains(ip(address.strip()))).isEqualTo(contained);
    }

    @Test
    void aBareAddressIsAFullLengthPrefix() {
        assertThat(Cidr.parse("192.168.1.7").prefixBits()).isEqualTo(32);
        assertThat(Cidr.parse("::1").prefixBits()).isEqualTo(128);
        assertThat(Cidr.parse(" 10.0.0.0/8 ").prefixBits()).isEqualTo(8);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "/8", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/x", "10.0.0.0/", "10.0.0.0/8/8",
            "256.0.0.1", "proxy.internal", "localhost", "10.0.0.0 /8", "fe80::1%eth0"})
    void refusesWhatIsNotAnAddressOrRange(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text.strip() + "'");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"dead.beef", "cafe", "1.2.3.4.5", "dead.beef/24"})
    void aHostNameMadeOfHexDigitsIsRefusedWithoutAskingDns(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
        assertThat(RecordingResolverProvider.lookups()).doesNotContain(text.replace("/24", ""));
    }
}
