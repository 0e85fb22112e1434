package dev.sluice.config;

import java.util.List;

/**
 * ALLOWED_HOSTS: the names, besides IP addresses and {@code localhost}, that a request's {@code Host} may carry. The
 * guard against DNS rebinding applies when the gateway is bound to loopback or has no client keys, or when this list is
 * given; {@code *} turns it off.
 *
 * @param names lower-case host names, without ports
 * @param any {@code *}: any Host is accepted
 */
public record HostAllowList(List<String> names, boolean any) {
    public HostAllowList {
        names = List.copyOf(names);
    }

    public static HostAllowList none() {
        return new HostAllowList(List.of(), false);
    }
}
