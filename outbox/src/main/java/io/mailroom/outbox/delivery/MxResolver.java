package io.mailroom.outbox.delivery;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer;
import io.mailroom.mailauth.dns.DnsResolver.MxRecord;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where to send mail for a domain (RFC 5321 §5.1): the MX hosts by preference (equal
 * preferences shuffled), each with its IPv6 and IPv4 addresses; no MX means the domain's own
 * A/AAAA; a null MX (RFC 7505) means the domain accepts no mail. Static routes (like Postfix's
 * transport map) override DNS for a domain.
 */
public final class MxResolver {
    /** The lookup result: routes, or a permanent or temporary failure with its reason. */
    public record Lookup(List<Route> routes, DeliveryResult failure) {}

    private final DnsResolver dns;
    private final int port;
    private final Map<String, Route> staticRoutes;

    public MxResolver(DnsResolver dns, int port, Map<String, Route> staticRoutes) {
        this.dns = dns;
        this.port = port;
        this.staticRoutes = staticRoutes;
    }

    public Lookup resolve(String domain) {
        Route fixed = staticRoutes.get(domain);
        if (fixed == null) {
            fixed = staticRoutes.get("*");
        }
        if (fixed != null) {
            return new Lookup(List.of(fixed), null);
        }
        if (dns == null) {
            return new Lookup(List.of(), DeliveryResult.deferred("4.4.3", "no DNS resolver configured", null));
        }
        DnsAnswer<MxRecord> mx = dns.mx(domain);
        if (mx.isTempFail()) {
            return new Lookup(List.of(), DeliveryResult.deferred("4.4.3", "MX lookup for " + domain + " failed temporarily", null));
        }
        if (mx.status() == DnsAnswer.Status.NXDOMAIN) {
            return new Lookup(List.of(), DeliveryResult.failed("5.1.2", "domain " + domain + " does not exist", null));
        }
        List<Route> routes = new ArrayList<>();
        if (mx.status() == DnsAnswer.Status.OK) {
            List<MxRecord> records = new ArrayList<>(mx.records());
            if (records.size() == 1 && (records.get(0).exchange().isEmpty() || records.get(0).exchange().equals("."))) {
                return new Lookup(List.of(), DeliveryResult.failed("5.1.10", "556 5.1.10 domain " + domain
                        + " publishes a null MX and accepts no mail", null));
            }
            Collections.shuffle(records);
            records.sort(Comparator.comparingInt(MxRecord::preference));
            boolean tempfail = false;
            for (MxRecord r : records) {
                if (r.exchange().isEmpty() || r.exchange().equals(".")) {
                    continue;
                }
                List<InetAddress> addrs = addresses(r.exchange());
                if (addrs == null) {
                    tempfail = true;
                } else if (!addrs.isEmpty()) {
                    routes.add(new Route(r.exchange(), addrs, port, true));
                }
            }
            if (routes.isEmpty()) {
                return new Lookup(List.of(), tempfail
                        ? DeliveryResult.deferred("4.4.3", "address lookup of the MX hosts of " + domain + " failed", null)
                        : DeliveryResult.failed("5.4.4", "no address for any MX host of " + domain, null));
            }
            return new Lookup(routes, null);
        }
        // NODATA: the implicit MX is the domain itself (RFC 5321 §5.1)
        List<InetAddress> addrs = addresses(domain);
        if (addrs == null) {
            return new Lookup(List.of(), DeliveryResult.deferred("4.4.3", "address lookup of " + domain + " failed", null));
        }
        if (addrs.isEmpty()) {
            return new Lookup(List.of(), DeliveryResult.failed("5.4.4", "no MX and no address for " + domain, null));
        }
        return new Lookup(List.of(new Route(domain, addrs, port, false)), null);
    }

    /** IPv6 then IPv4 addresses; null on a temporary failure of both. */
    private List<InetAddress> addresses(String host) {
        DnsAnswer<InetAddress> v6 = dns.aaaa(host);
        DnsAnswer<InetAddress> v4 = dns.a(host);
        List<InetAddress> out = new ArrayList<>();
        out.addAll(v6.records());
        out.addAll(v4.records());
        if (out.isEmpty() && (v6.isTempFail() || v4.isTempFail())) {
            return null;
        }
        return out;
    }
}
