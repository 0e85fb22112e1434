package dev.sluice.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The test JVM's name resolver (JEP 418, registered in META-INF/services): it records every host name looked
 * up, answers a few made-up names that look like hex digits (so that code meant to accept only IP literals can
 * be caught resolving them), and hands everything else to the built-in resolver unchanged.
 */
public final class RecordingResolverProvider extends InetAddressResolverProvider {
    /** Names that consist of hex digits and dots, as a DNS resolver might still answer them. */
    public static final Map<String, byte[]> FAKE = Map.of(
            "dead.beef", new byte[] {(byte) 198, 51, 100, 7},
            "cafe", new byte[] {(byte) 198, 51, 100, 8},
            "1.2.3.4.5", new byte[] {(byte) 198, 51, 100, 9});

    private static final Set<String> LOOKUPS = ConcurrentHashMap.newKeySet();

    /** Host names looked up so far in this JVM. */
    public static Set<String> lookups() {
        return Set.copyOf(LOOKUPS);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                LOOKUPS.add(host);
                byte[] fake = FAKE.get(host);
                if (fake != null) {
                    return List.of(InetAddress.getByAddress(host, fake)).stream();
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "sluice-test-recording-resolver";
    }
}
