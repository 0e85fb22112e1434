package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written dotted-quad check of the DNS-rebinding guard against the pattern it replaced. */
class HostGuardIpv4Test {
    private static final Pattern SPEC = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    @Test
    void agreesWithTheDottedQuadPatternOnEdgesAndRandomStrings() {
        String[] edges = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4",
            "1.2.3.04", "1..3.4", ".1.2.3.4", "1.2.3.4.", "1.2.3.4x", "1234.1.1.1", "", "a.b.c.d", "1.2.3.249",
            "1.2.3.250", "1.2.3.260", "100.200.99.9", "1 .2.3.4", "١.٢.٣.٤", "10.0.0.255", "localhost"};
        for (String h : edges) {
            assertThat(HostGuard.ipv4(h)).as(h).isEqualTo(SPEC.matcher(h).matches());
        }
        Random r = new Random(20261208L);
        String alphabet = "0123456789.2505x";
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            if (r.nextBoolean()) {
                for (int n = 1 + r.nextInt(16); n > 0; n--) {
                    b.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
            } else {
                // four-ish parts near the boundaries: 0-300, a leading zero now and then, an empty part, junk
                for (int part = 0, parts = 3 + r.nextInt(3); part < parts; part++) {
                    b.append(part == 0 ? "" : ".").append(r.nextInt(12) == 0 ? "0" : "")
                            .append(r.nextInt(15) == 0 ? "" : String.valueOf(r.nextInt(301)));
                }
                if (r.nextInt(10) == 0) {
                    b.insert(r.nextInt(b.length() + 1), alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            String h = b.toString();
            boolean spec = SPEC.matcher(h).matches();
            assertThat(HostGuard.ipv4(h)).as(h).isEqualTo(spec);
            accepted += spec ? 1 : 0;
        }
        assertThat(accepted).as("random strings that are addresses").isGreaterThan(5_000);
    }
}
