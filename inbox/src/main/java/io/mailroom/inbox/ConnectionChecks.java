package io.mailroom.inbox;

import io.mailroom.common.store.ClientReputationCache;
import io.mailroom.mailauth.dns.DnsResolver;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Checks run when a client connects: DNS block lists (RFC 5782) and forward-confirmed reverse DNS
 * (FCrDNS), answers cached in Redis ({@link ClientReputationCache}). {@code enforce} refuses the
 * connection with the reply codes of RFC 7372 ({@code 554 5.7.1} listed, {@code 450 4.7.25} no
 * reverse name); {@code tag} only records what was found (Received header, metrics).
 */
public final class ConnectionChecks implements SessionHandler {
    /** What was found about one connected client. */
    public record Client(String reverseName, List<String> listedIn) {}

    private final DnsResolver dns;
    private final ClientReputationCache cache;
    private final List<String> zones;
    private final CheckPolicy dnsbl;
    private final CheckPolicy rdns;
    private final InboxMetrics metrics;
    private final Map<Session, Client> clients = new ConcurrentHashMap<>();

    public ConnectionChecks(DnsResolver dns, ClientReputationCache cache, List<String> zones, CheckPolicy dnsbl,
            CheckPolicy rdns, InboxMetrics metrics) {
        this.dns = dns;
        this.cache = cache;
        this.zones = List.copyOf(zones);
        this.dnsbl = dnsbl;
        this.rdns = rdns;
        this.metrics = metrics == null ? InboxMetrics.NONE : metrics;
    }

    @Override
    public SessionAcceptance accept(Session session) {
        InetAddress ip = ((InetSocketAddress) session.getRemoteAddress()).getAddress();
        String name = null;
        if (rdns.enabled()) {
            name = reverseName(ip);
            metrics.check("rdns", name == null ? "none" : "pass");
            if (name == null && rdns == CheckPolicy.ENFORCE) {
                return SessionAcceptance.failure(450, "4.7.25 Client host rejected: cannot find your hostname, ["
                        + ip.getHostAddress() + "]");
            }
        }
        List<String> listed = new ArrayList<>();
        if (dnsbl.enabled() && ip instanceof Inet4Address) {
            for (String zone : zones) {
                if (listed(zone, ip)) {
                    listed.add(zone);
                }
            }
            metrics.check("dnsbl", listed.isEmpty() ? "clean" : "listed");
            if (!listed.isEmpty() && dnsbl == CheckPolicy.ENFORCE) {
                return SessionAcceptance.failure(554, "5.7.1 Service unavailable; client host [" + ip.getHostAddress()
                        + "] blocked using " + listed.get(0));
            }
        }
        clients.put(session, new Client(name, listed));
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        clients.remove(session);
    }

    /** What the checks found for this session's client (empty facts when they are off). */
    public Client client(MessageContext ctx) {
        Client c = ctx instanceof Session s ? clients.get(s) : null;
        return c == null ? new Client(null, List.of()) : c;
    }

    private String reverseName(InetAddress ip) {
        String key = ip.getHostAddress();
        var cached = cache.reverseName(key);
        if (cached.isPresent()) {
            return cached.get().isEmpty() ? null : cached.get();
        }
        var ptr = dns.ptr(ip);
        if (ptr.isTempFail()) {
            return null; // not cached: try again next time
        }
        String confirmed = "";
        for (String name : ptr.status() == DnsResolver.DnsAnswer.Status.OK ? ptr.records() : List.<String>of()) {
            String n = name.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
            var fwd = ip instanceof Inet4Address ? dns.a(n) : dns.aaaa(n);
            if (fwd.status() == DnsResolver.DnsAnswer.Status.OK && fwd.records().contains(ip)) {
                confirmed = n;
                break;
            }
        }
        cache.putReverseName(key, confirmed);
        return confirmed.isEmpty() ? null : confirmed;
    }

    private boolean listed(String zone, InetAddress ip) {
        String key = ip.getHostAddress();
        var cached = cache.dnsbl(zone, key);
        if (cached.isPresent()) {
            return cached.get().equals("listed");
        }
        byte[] b = ip.getAddress();
        String query = (b[3] & 0xff) + "." + (b[2] & 0xff) + "." + (b[1] & 0xff) + "." + (b[0] & 0xff) + "." + zone;
        var a = dns.a(query);
        if (a.isTempFail()) {
            return false; // a broken list must not block mail; not cached
        }
        // RFC 5782 §2.1: listed = an A record in 127.0.0.0/8; 127.255.255.x are error codes of some lists
        boolean listed = a.status() == DnsResolver.DnsAnswer.Status.OK && a.records().stream().anyMatch(r -> {
            byte[] x = r.getAddress();
            return x.length == 4 && x[0] == 127 && !((x[1] & 0xff) == 255 && (x[2] & 0xff) == 255);
        });
        cache.putDnsbl(zone, key, listed ? "listed" : "clean");
        return listed;
    }
}
