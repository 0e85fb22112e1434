package dev.sluice.http;

import dev.sluice.config.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The client's address for rate limiting: the socket peer, unless the peer is a configured trusted proxy;
 * then X-Forwarded-For is walked right to left to the first hop that is not trusted. A client that sends
 * its own X-Forwarded-For straight to the gateway changes nothing (reliability.md F18).
 */
public final class ClientAddress {
    private final List<Cidr> trusted;

    public ClientAddress(List<Cidr> trusted) {
        this.trusted = trusted;
    }

    public String resolve(InetSocketAddress peer, String xForwardedFor) {
        InetAddress addr = peer == null ? null : peer.getAddress();
        String peerText = addr == null ? "unknown" : addr.getHostAddress();
        if (addr == null || trusted.isEmpty() || !isTrusted(addr) || xForwardedFor == null) {
            return peerText;
        }
        String[] hops = xForwardedFor.split(",");
        String leftmost = peerText;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            InetAddress a = literal(hop);
            if (a == null) {
                return peerText; // garbage in the chain: do not trust any of it
            }
            leftmost = a.getHostAddress();
            if (!isTrusted(a)) {
                return leftmost;
            }
        }
        return leftmost;
    }

    private boolean isTrusted(InetAddress a) {
        for (Cidr c : trusted) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static InetAddress literal(String hop) {
        String h = hop.startsWith("[") && hop.endsWith("]") ? hop.substring(1, hop.length() - 1) : hop;
        if (h.isEmpty() || !h.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        try {
            // never getByName: a hop such as "dead.beef" passes the character check but would be looked up in DNS
            return InetAddress.ofLiteral(h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
