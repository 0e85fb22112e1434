package dev.sluice.config;

import java.net.InetAddress;

/** An address range such as {@code 10.0.0.0/8} or {@code ::1/128}, used for trusted proxies. */
public record Cidr(byte[] network, int prefixBits) {

    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        if (!host.matches("[0-9a-fA-F:.]+")) {
            // only literal addresses: a host name here would trigger DNS at startup and could change later
            throw new IllegalArgumentException("'" + t + "' is not an IP address or CIDR range");
        }
        byte[] addr;
        try {
            // ofLiteral never asks DNS: "cafe" or "dead.beef" pass the character check above but are host names
            addr = InetAddress.ofLiteral(host).getAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + t + "' is not an IP address or CIDR range");
        }
        int bits = addr.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + t + "' has a bad prefix length");
            }
            if (bits < 0 || bits > addr.length * 8) {
                throw new IllegalArgumentException("'" + t + "' has a bad prefix length");
            }
        }
        return new Cidr(addr, bits);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }
}
